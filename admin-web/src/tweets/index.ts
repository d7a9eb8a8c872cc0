import TagIcon from '@mui/icons-material/Tag';
import type { TweetRecord } from '../types';
import { TweetList } from './TweetList';

export default {
  list: TweetList,
  icon: TagIcon,
  recordRepresentation: (r: TweetRecord) => `@${r.authorHandle} ${r.tweetId}`,
};

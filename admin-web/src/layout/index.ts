export { AppBar } from './AppBar';
export { Layout } from './Layout';
export { Login } from './Login';
export { Menu } from './Menu';

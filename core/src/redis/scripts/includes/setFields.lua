-- HSET every field of a flat JSON object (string values) on a hash.
local function setFields(key, fieldsJson)
  for k, v in pairs(cjson.decode(fieldsJson)) do
    redis.call('HSET', key, k, v)
  end
end

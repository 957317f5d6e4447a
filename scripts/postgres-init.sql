-- Run once by the postgres image when its data directory is created: the role the
-- application connects as. It owns nothing, so row-level security applies to it;
-- `gongjian migrate --app-role gongjian_app` (run as the owner) grants it the tables.
CREATE ROLE gongjian_app LOGIN PASSWORD 'gongjian_app';

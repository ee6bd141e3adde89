CREATE TABLE mcp_servers (name text PRIMARY KEY, language text NOT NULL, transport text NOT NULL);
INSERT INTO mcp_servers VALUES
  ('filesystem', 'TypeScript', 'stdio'),
  ('memory', 'TypeScript', 'stdio'),
  ('everything', 'TypeScript', 'stdio'),
  ('fetch', 'Python', 'stdio'),
  ('postgres', 'TypeScript', 'stdio');

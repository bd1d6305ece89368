-- 29: table properties that live outside CREATE TABLE, on tables owned by another role: column compression (pglz and,
-- where the server has it, lz4; PostgreSQL 14+), statistics target, storage and attribute options on materialized
-- view columns, FORCE ROW LEVEL SECURITY alone / ENABLE alone / both / neither, and typed tables (CREATE TABLE … OF
-- type) with and without column options, a CHECK, a default and a NOT NULL.
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_props_owner'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END LOOP;
END $$;

CREATE SCHEMA props AUTHORIZATION corpus_props_owner;

-- Compression: explicit pglz differs from the default (attcompression '\0'); lz4 only where the server was built with it.
CREATE TABLE props.documents (id int PRIMARY KEY, body text, summary text, payload jsonb, raw bytea);
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 140000 THEN
        EXECUTE 'ALTER TABLE props.documents ALTER COLUMN summary SET COMPRESSION pglz';
        IF (SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression') THEN
            EXECUTE 'ALTER TABLE props.documents ALTER COLUMN body SET COMPRESSION lz4';
            EXECUTE 'ALTER TABLE props.documents ALTER COLUMN payload SET COMPRESSION lz4';
        END IF;
    END IF;
END $$;
ALTER TABLE props.documents ALTER COLUMN raw SET STORAGE EXTERNAL;
INSERT INTO props.documents SELECT g, repeat('body ' || g, 500), 'summary ' || g, jsonb_build_object('n', g), decode(repeat('ab', 100), 'hex')
FROM generate_series(1, 20) g;
ALTER TABLE props.documents OWNER TO corpus_props_owner;

-- Materialized view columns: statistics target, storage, attribute options.
CREATE MATERIALIZED VIEW props.document_sizes AS
    SELECT id, length(body) AS body_length, summary FROM props.documents;
ALTER MATERIALIZED VIEW props.document_sizes ALTER COLUMN body_length SET STATISTICS 300;
ALTER MATERIALIZED VIEW props.document_sizes ALTER COLUMN summary SET STORAGE MAIN;
ALTER MATERIALIZED VIEW props.document_sizes ALTER COLUMN id SET (n_distinct = -1);
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 140000 THEN
        EXECUTE 'ALTER MATERIALIZED VIEW props.document_sizes ALTER COLUMN summary SET COMPRESSION pglz';
    END IF;
END $$;
ALTER MATERIALIZED VIEW props.document_sizes OWNER TO corpus_props_owner;

-- A plain view of the same columns: views have no such properties, only the defaults and comments already covered.
CREATE VIEW props.document_titles AS SELECT id, summary FROM props.documents;
ALTER VIEW props.document_titles OWNER TO corpus_props_owner;

-- Row-level security flags: FORCE alone, ENABLE alone, both, neither.
CREATE TABLE props.rls_force_only (id int PRIMARY KEY, owner_name text);
ALTER TABLE props.rls_force_only FORCE ROW LEVEL SECURITY;
CREATE TABLE props.rls_enable_only (id int PRIMARY KEY, owner_name text);
ALTER TABLE props.rls_enable_only ENABLE ROW LEVEL SECURITY;
CREATE POLICY rls_enable_only_own ON props.rls_enable_only USING (owner_name = current_user);
CREATE TABLE props.rls_both (id int PRIMARY KEY, owner_name text);
ALTER TABLE props.rls_both ENABLE ROW LEVEL SECURITY;
ALTER TABLE props.rls_both FORCE ROW LEVEL SECURITY;
CREATE POLICY rls_both_all ON props.rls_both USING (true);
CREATE TABLE props.rls_neither (id int PRIMARY KEY, owner_name text);
INSERT INTO props.rls_force_only VALUES (1, 'a'), (2, 'b');
INSERT INTO props.rls_enable_only VALUES (1, 'a'), (2, 'b');
INSERT INTO props.rls_both VALUES (1, 'a'), (2, 'b');
INSERT INTO props.rls_neither VALUES (1, 'a');
ALTER TABLE props.rls_force_only OWNER TO corpus_props_owner;
ALTER TABLE props.rls_enable_only OWNER TO corpus_props_owner;
ALTER TABLE props.rls_both OWNER TO corpus_props_owner;
ALTER TABLE props.rls_neither OWNER TO corpus_props_owner;

-- Typed tables: bare, with column options (NOT NULL, default, CHECK, PRIMARY KEY), and one whose type has a collated
-- attribute; the types belong to the owner role as well.
CREATE TYPE props.address AS (street text, city text COLLATE "C", zip varchar(10));
CREATE TYPE props.reading AS (sensor int, taken_at timestamptz, value numeric(10, 2));
ALTER TYPE props.address OWNER TO corpus_props_owner;
ALTER TYPE props.reading OWNER TO corpus_props_owner;
CREATE TABLE props.addresses OF props.address;
CREATE TABLE props.readings OF props.reading (
    sensor WITH OPTIONS NOT NULL,
    taken_at WITH OPTIONS DEFAULT now(),
    PRIMARY KEY (sensor, taken_at),
    CONSTRAINT readings_value_check CHECK (value >= 0)
);
ALTER TABLE props.readings ALTER COLUMN value SET STATISTICS 50;
COMMENT ON TABLE props.readings IS 'typed table with options';
INSERT INTO props.addresses VALUES ('Main St 1', 'Springfield', '12345'), (NULL, 'Shelbyville', NULL);
INSERT INTO props.readings VALUES (1, '2026-01-01 00:00:00+00', 1.5), (2, '2026-01-01 00:00:00+00', 2.25);
ALTER TABLE props.addresses OWNER TO corpus_props_owner;
ALTER TABLE props.readings OWNER TO corpus_props_owner;

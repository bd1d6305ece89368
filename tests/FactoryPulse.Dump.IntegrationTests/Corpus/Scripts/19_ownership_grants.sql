-- 19: objects owned by other roles; GRANT/REVOKE on schema, table, columns, sequence, function, type, domain;
-- WITH GRANT OPTION; a grant made by a non-owner grantor; ALTER DEFAULT PRIVILEGES (global and IN SCHEMA,
-- FOR ROLE, including REVOKE of built-in defaults).
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_owner', 'corpus_grantor', 'corpus_reader', 'corpus_writer'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END LOOP;
END $$;

CREATE SCHEMA owned AUTHORIZATION corpus_owner;
CREATE TABLE owned.things (id integer PRIMARY KEY, name text, secret text);
INSERT INTO owned.things VALUES (1, 'a', 's1'), (2, 'b', 's2');
ALTER TABLE owned.things OWNER TO corpus_owner;
CREATE SEQUENCE owned.thing_seq;
ALTER SEQUENCE owned.thing_seq OWNER TO corpus_owner;
CREATE TYPE owned.color AS ENUM ('red', 'green');
ALTER TYPE owned.color OWNER TO corpus_owner;
CREATE DOMAIN owned.percent AS numeric CHECK (VALUE BETWEEN 0 AND 100);
ALTER DOMAIN owned.percent OWNER TO corpus_owner;
CREATE FUNCTION owned.secret_of(p_id integer) RETURNS text LANGUAGE sql STABLE AS $$ SELECT secret FROM owned.things WHERE id = p_id $$;
ALTER FUNCTION owned.secret_of(integer) OWNER TO corpus_owner;
CREATE VIEW owned.thing_names AS SELECT id, name FROM owned.things;
ALTER VIEW owned.thing_names OWNER TO corpus_owner;

GRANT USAGE ON SCHEMA owned TO corpus_reader, corpus_grantor;
GRANT CREATE ON SCHEMA owned TO corpus_writer WITH GRANT OPTION;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO PUBLIC;
GRANT SELECT (id, name), UPDATE (name) ON owned.things TO corpus_reader;
GRANT INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON owned.things TO corpus_writer;
GRANT SELECT ON owned.things TO corpus_grantor WITH GRANT OPTION;
GRANT USAGE, SELECT ON SEQUENCE owned.thing_seq TO corpus_writer;
GRANT UPDATE ON SEQUENCE owned.thing_seq TO corpus_grantor WITH GRANT OPTION;
REVOKE EXECUTE ON FUNCTION owned.secret_of(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION owned.secret_of(integer) TO corpus_reader;
REVOKE USAGE ON TYPE owned.color FROM PUBLIC;
GRANT USAGE ON TYPE owned.color TO corpus_writer;
GRANT USAGE ON DOMAIN owned.percent TO corpus_reader WITH GRANT OPTION;
GRANT SELECT ON owned.thing_names TO PUBLIC;

-- grants made by a role that holds the grant option but does not own the object
SET ROLE corpus_grantor;
GRANT SELECT ON owned.things TO corpus_writer;
GRANT UPDATE ON SEQUENCE owned.thing_seq TO corpus_reader;
RESET ROLE;

ALTER DEFAULT PRIVILEGES FOR ROLE corpus_owner IN SCHEMA owned GRANT SELECT ON TABLES TO corpus_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE corpus_owner IN SCHEMA owned GRANT USAGE ON SEQUENCES TO corpus_writer;
ALTER DEFAULT PRIVILEGES FOR ROLE corpus_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE corpus_owner GRANT EXECUTE ON FUNCTIONS TO corpus_writer;
ALTER DEFAULT PRIVILEGES FOR ROLE corpus_owner REVOKE USAGE ON TYPES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT ON TABLES TO corpus_writer WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON TYPES TO corpus_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO corpus_reader;

-- an object created by the owner after the defaults, so the defaults apply to it
SET ROLE corpus_owner;
CREATE TABLE owned.later (id integer);
CREATE FUNCTION owned.later_fn() RETURNS integer LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
INSERT INTO owned.later VALUES (1);

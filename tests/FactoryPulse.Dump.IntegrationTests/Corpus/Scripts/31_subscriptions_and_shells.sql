-- 31: objects pg_dump keeps that are easy to lose: subscriptions (created without connecting; restored disabled, with
-- the options that differ from the defaults), a standalone shell type (CREATE TYPE name; never filled, with owner and
-- comment) and changed privileges on an extension-owned type (differences from pg_init_privs).
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_shell_owner', 'corpus_type_user'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END LOOP;
END $$;

CREATE SCHEMA gaps;
CREATE TYPE gaps.later;
CREATE TYPE gaps."Later Too";
ALTER TYPE gaps."Later Too" OWNER TO corpus_shell_owner;
COMMENT ON TYPE gaps.later IS 'a shell nothing has filled';

CREATE EXTENSION IF NOT EXISTS citext;
GRANT USAGE ON TYPE citext TO corpus_type_user;
REVOKE USAGE ON TYPE citext FROM PUBLIC;
CREATE TABLE gaps.emails (address citext PRIMARY KEY);
-- Built-ins keep changed privileges too (pg_dump dumps pg_catalog's ACLs): a type and the schema itself.
GRANT USAGE ON TYPE pg_catalog.point TO corpus_type_user WITH GRANT OPTION;
GRANT CREATE ON SCHEMA pg_catalog TO corpus_type_user;

-- Subscriptions point at a publisher that is never contacted (connect = false); the publication named need not exist
-- there. Their comments live in pg_shdescription.
CREATE PUBLICATION corpus_gaps_pub FOR TABLE gaps.emails;
CREATE SUBSCRIPTION corpus_gaps_plain CONNECTION 'host=127.0.0.1 port=1 dbname=x' PUBLICATION corpus_gaps_pub
    WITH (connect = false, slot_name = NONE, enabled = false);
CREATE SUBSCRIPTION "Corpus Gaps Options" CONNECTION 'host=127.0.0.1 port=1 dbname=''it\''s'' application_name=gaps'
    PUBLICATION corpus_gaps_pub, "Other Pub"
    WITH (connect = false, slot_name = 'gaps_slot', enabled = false, binary = true, streaming = on, two_phase = true,
          disable_on_error = true, synchronous_commit = 'remote_apply');
COMMENT ON SUBSCRIPTION corpus_gaps_plain IS 'restored disabled';

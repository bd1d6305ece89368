-- 31: objects pg_dump keeps that are easy to lose: a standalone shell type (CREATE TYPE name; never filled, with owner
-- and comment) and changed privileges on an extension-owned type (differences from pg_init_privs).
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

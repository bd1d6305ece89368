-- 27: procedural languages (trusted with handler, inline handler and validator as C functions from plpgsql's library,
-- owner, privileges, comment and a function in it; untrusted with a handler only; one on plpgsql's own functions), transforms (both directions, one
-- direction), index and table access methods (an operator class for the index method — btree's code refuses to build an
-- index for any other access method oid, so there is no index; a table with data
-- and a materialized view USING the table method), conversions (default and not, owner, comment).
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_lang_owner', 'corpus_lang_user'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END LOOP;
END $$;

CREATE SCHEMA langs;
CREATE FUNCTION langs.my_call_handler() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE c;
CREATE FUNCTION langs.my_inline_handler(internal) RETURNS void AS '$libdir/plpgsql', 'plpgsql_inline_handler' LANGUAGE c STRICT;
CREATE FUNCTION langs.my_validator(oid) RETURNS void AS '$libdir/plpgsql', 'plpgsql_validator' LANGUAGE c STRICT;
CREATE TRUSTED LANGUAGE mylang HANDLER langs.my_call_handler INLINE langs.my_inline_handler VALIDATOR langs.my_validator;
ALTER LANGUAGE mylang OWNER TO corpus_lang_owner;
REVOKE USAGE ON LANGUAGE mylang FROM PUBLIC;
GRANT USAGE ON LANGUAGE mylang TO corpus_lang_user;
COMMENT ON LANGUAGE mylang IS 'plpgsql under another name';
CREATE FUNCTION langs.in_mylang(i integer) RETURNS integer LANGUAGE mylang IMMUTABLE AS $$ BEGIN RETURN i + 1; END $$;
CREATE LANGUAGE "my Untrusted" HANDLER langs.my_call_handler;
-- On plpgsql's own (extension member) functions: pg_dump writes the parameterless form here, which a restore runs as
-- CREATE EXTENSION and fails; the full form is written instead, as those functions exist once plpgsql does.
CREATE LANGUAGE on_plpgsql HANDLER plpgsql_call_handler VALIDATOR plpgsql_validator;
CREATE FUNCTION langs.in_on_plpgsql() RETURNS text LANGUAGE on_plpgsql AS $$ BEGIN RETURN 'ok'; END $$;

CREATE TYPE langs.mood AS ENUM ('sad', 'happy');
CREATE FUNCTION langs.mood_from_sql(internal) RETURNS internal LANGUAGE internal IMMUTABLE STRICT AS 'enum_recv';
CREATE FUNCTION langs.mood_to_sql(internal) RETURNS langs.mood LANGUAGE internal IMMUTABLE STRICT AS 'enum_recv';
CREATE TRANSFORM FOR langs.mood LANGUAGE mylang (
    FROM SQL WITH FUNCTION langs.mood_from_sql(internal), TO SQL WITH FUNCTION langs.mood_to_sql(internal));
COMMENT ON TRANSFORM FOR langs.mood LANGUAGE mylang IS 'never called: plpgsql ignores transforms';
CREATE TRANSFORM FOR langs.mood LANGUAGE "my Untrusted" (TO SQL WITH FUNCTION langs.mood_to_sql(internal));

CREATE ACCESS METHOD my_btree TYPE INDEX HANDLER bthandler;
COMMENT ON ACCESS METHOD my_btree IS 'btree under another name';
CREATE OPERATOR CLASS langs.my_int4_ops DEFAULT FOR TYPE integer USING my_btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 btint4cmp(integer, integer);
CREATE ACCESS METHOD my_heap TYPE TABLE HANDLER heap_tableam_handler;
CREATE TABLE langs.stored_my_way (id integer NOT NULL, note text) USING my_heap;
INSERT INTO langs.stored_my_way VALUES (1, 'one'), (2, 'two'), (3, NULL);
CREATE MATERIALIZED VIEW langs.my_way_view USING my_heap AS SELECT id, note FROM langs.stored_my_way WHERE id > 1;

CREATE CONVERSION langs.my_utf8_to_latin1 FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;
ALTER CONVERSION langs.my_utf8_to_latin1 OWNER TO corpus_lang_owner;
COMMENT ON CONVERSION langs.my_utf8_to_latin1 IS 'as the built-in one';
CREATE DEFAULT CONVERSION langs."My Default" FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;

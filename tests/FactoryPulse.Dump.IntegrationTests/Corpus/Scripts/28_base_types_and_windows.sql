-- 28: base types made from built-in C functions (fixed-length by value with receive/send, category and default, used by
-- a table with data and an array column; variable-length with typmod functions, analyze, collatable, preferred,
-- delimiter and storage; fixed-length with an element type), owner and comment; window functions in LANGUAGE internal
-- used by a view; a range type with a canonical function (and a subtype difference function) used by a table.
DO $$
BEGIN
    CREATE ROLE corpus_type_owner NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE SCHEMA basetypes;

CREATE TYPE basetypes.myint;
CREATE FUNCTION basetypes.myint_in(cstring) RETURNS basetypes.myint AS 'int4in' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.myint_out(basetypes.myint) RETURNS cstring AS 'int4out' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.myint_recv(internal) RETURNS basetypes.myint AS 'int4recv' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.myint_send(basetypes.myint) RETURNS bytea AS 'int4send' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE basetypes.myint (
    INPUT = basetypes.myint_in, OUTPUT = basetypes.myint_out, RECEIVE = basetypes.myint_recv, SEND = basetypes.myint_send,
    INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4, CATEGORY = 'N', DEFAULT = '0');
ALTER TYPE basetypes.myint OWNER TO corpus_type_owner;
COMMENT ON TYPE basetypes.myint IS 'an int4 in disguise';
CREATE TABLE basetypes.uses_myint (id integer NOT NULL, v basetypes.myint, vs basetypes.myint[]);
INSERT INTO basetypes.uses_myint VALUES (1, '10', '{1,2}'), (2, '-20', '{}'), (3, NULL, NULL);

CREATE TYPE basetypes.mytext;
CREATE FUNCTION basetypes.mytext_in(cstring) RETURNS basetypes.mytext AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.mytext_out(basetypes.mytext) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.mytext_typmod_in(cstring[]) RETURNS integer AS 'varchartypmodin' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.mytext_typmod_out(integer) RETURNS cstring AS 'varchartypmodout' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.mytext_analyze(internal) RETURNS boolean AS 'ts_typanalyze' LANGUAGE internal STRICT;
CREATE TYPE basetypes.mytext (
    INPUT = basetypes.mytext_in, OUTPUT = basetypes.mytext_out, TYPMOD_IN = basetypes.mytext_typmod_in, TYPMOD_OUT = basetypes.mytext_typmod_out,
    ANALYZE = basetypes.mytext_analyze, INTERNALLENGTH = VARIABLE, STORAGE = main, COLLATABLE = true, CATEGORY = 'S', PREFERRED = true,
    DELIMITER = ';');

CREATE TYPE basetypes.mypoint;
CREATE FUNCTION basetypes.mypoint_in(cstring) RETURNS basetypes.mypoint AS 'point_in' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION basetypes.mypoint_out(basetypes.mypoint) RETURNS cstring AS 'point_out' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE basetypes.mypoint (
    INPUT = basetypes.mypoint_in, OUTPUT = basetypes.mypoint_out, INTERNALLENGTH = 16, ELEMENT = float8, ALIGNMENT = double);

CREATE FUNCTION basetypes.my_row_number() RETURNS bigint WINDOW LANGUAGE internal AS 'window_row_number';
CREATE FUNCTION basetypes.my_lag(anyelement) RETURNS anyelement WINDOW LANGUAGE internal IMMUTABLE STRICT AS 'window_lag';
COMMENT ON FUNCTION basetypes.my_row_number() IS 'row_number under another name';
CREATE VIEW basetypes.numbered AS
    SELECT id, basetypes.my_row_number() OVER (ORDER BY id) AS n, basetypes.my_lag(id) OVER (ORDER BY id) AS previous
    FROM basetypes.uses_myint;

CREATE TYPE basetypes.myrange;
CREATE FUNCTION basetypes.myrange_canonical(basetypes.myrange) RETURNS basetypes.myrange AS 'int4range_canonical' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE basetypes.myrange AS RANGE (SUBTYPE = int4, CANONICAL = basetypes.myrange_canonical, SUBTYPE_DIFF = int4range_subdiff);
COMMENT ON TYPE basetypes.myrange IS 'int4range again';
CREATE TABLE basetypes.uses_myrange (r basetypes.myrange);
INSERT INTO basetypes.uses_myrange VALUES ('[1,5]'), ('(1,5)'), ('empty'), (NULL);

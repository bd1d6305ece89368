-- 24: hostile input: identifiers with quotes, semicolons, backslashes, newlines, unicode and maximum length;
-- function bodies with $$ and nested dollar-quote tags; comments with */; text values with every COPY escape
-- (tab, newline, carriage return, backslash, \N and \. as literal text) and a ~5 MB TOASTed value.
SET standard_conforming_strings = on;
CREATE SCHEMA "we""ird;\schema
with newline";
CREATE TABLE "we""ird;\schema
with newline"."t\ab;le ""x"" 🙂" (
    "id; DROP TABLE x;--" integer PRIMARY KEY,
    "back\slash" text,
    "new
line" text,
    "€uro" bytea,
    "ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜäöüßÄÖÜ" text -- 62 bytes, close to the limit
);
COMMENT ON TABLE "we""ird;\schema
with newline"."t\ab;le ""x"" 🙂" IS E'hostile */ comment /* with \\ backslash\nand a second line; DROP TABLE x; --';
INSERT INTO "we""ird;\schema
with newline"."t\ab;le ""x"" 🙂" VALUES
    (1, E'tab\there', E'new\nline', '\x5c4e'::bytea, E'carriage\rreturn'),
    (2, E'back\\slash \\\\ double', '\N', '\x00'::bytea, '\.'),
    (3, E'a\n\\.\nb', E'\\N', NULL, ''),
    (4, 'unicode: 😀 ñ 中文 ‮rtl‬ zero​width', E'\x01\x02\x1f\x7f', '\x'::bytea, E'"quoted", comma, \'single\''),
    (5, NULL, 'NULL', '\xdeadbeef'::bytea, E'\r\n\t\\');

CREATE TABLE public.big_values (id integer PRIMARY KEY, big text, big_bytes bytea, doc jsonb);
INSERT INTO public.big_values
SELECT 1, string_agg(md5(g::text), E'\t' ORDER BY g), NULL, NULL FROM generate_series(1, 160000) g;
INSERT INTO public.big_values
SELECT 2, NULL, string_agg(decode(md5(g::text), 'hex'), ''::bytea ORDER BY g), jsonb_build_object('k', repeat(E'\\"\n', 10000))
FROM generate_series(1, 20000) g;

CREATE FUNCTION "we""ird;\schema
with newline"."f$$n" (x text) RETURNS text LANGUAGE sql IMMUTABLE
AS $a$ SELECT x || '$$ not the end $$' || $b$ nested $a text $b$ || $$ plain $$ $a$;
CREATE FUNCTION public.dyn(p text) RETURNS text LANGUAGE plpgsql AS $body$
DECLARE
    r text;
BEGIN
    -- a comment with */ and $$ inside
    EXECUTE $q$SELECT $x$ inner $x$ || $1 || '$body' $q$ INTO r USING p;
    RETURN r || E'\\' || $$;$$ /* block comment with -- dashes */;
END
$body$;
CREATE FUNCTION public."select" ("from" integer, "$1" text DEFAULT E'default\nwith newline') RETURNS text LANGUAGE sql IMMUTABLE
    AS 'SELECT ''it''''s '' || "from" || "$1"';
CREATE VIEW "we""ird;\schema
with newline"."v;iew" AS
    SELECT "id; DROP TABLE x;--" AS "out""col", "we""ird;\schema
with newline"."f$$n"("back\slash") AS f FROM "we""ird;\schema
with newline"."t\ab;le ""x"" 🙂";
CREATE TABLE public.defaults_hostile (
    id integer PRIMARY KEY,
    d1 text DEFAULT E'semi;colon\n-- not a comment',
    d2 text DEFAULT '$$dollar$$',
    d3 text DEFAULT E'/* not */ a comment'
);
INSERT INTO public.defaults_hostile (id) VALUES (1);

-- 03: enum, domain (CHECK, NOT NULL, DEFAULT, NOT VALID constraint) and composite types;
-- arrays of enums and composites as table columns, with rows.
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'ok';
ALTER TYPE public.mood ADD VALUE 'ecstatic' AFTER 'happy';
CREATE TYPE public.empty_enum AS ENUM ();

CREATE DOMAIN public.posint AS integer NOT NULL DEFAULT 1 CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE DOMAIN public.email AS text CONSTRAINT email_has_at CHECK (VALUE ~ '@');
CREATE DOMAIN public.short_code AS varchar(8) COLLATE "C" DEFAULT 'none';
CREATE DOMAIN public.mood_list AS public.mood[] CHECK (cardinality(VALUE) <= 3);
-- a table value violating the new constraint exists before it is added NOT VALID
CREATE TABLE public.contacts (id integer PRIMARY KEY, e public.email);
INSERT INTO public.contacts VALUES (1, 'a@x'), (2, 'UPPER@X');
ALTER DOMAIN public.email ADD CONSTRAINT email_lower CHECK (VALUE = lower(VALUE)) NOT VALID;

CREATE TYPE public.address AS (street text, zip varchar(10), moods public.mood[]);
CREATE TYPE public.person AS (name text, home public.address, age smallint);

CREATE TABLE public.people (
    id public.posint PRIMARY KEY,
    mood public.mood DEFAULT 'ok',
    moods public.mood[],
    ml public.mood_list,
    addr public.address,
    addrs public.address[],
    p public.person,
    code public.short_code,
    e public.email
);
INSERT INTO public.people VALUES
    (1, 'happy', '{sad,meh,ecstatic}', '{ok}', ROW('Main St 1', '12345', '{happy}'),
     ARRAY[ROW('A "quoted" st', '1', '{}')::public.address, ROW(NULL, NULL, NULL)::public.address],
     ROW('Ada', ROW('x,y', '9', '{sad}'), 36), 'ABC', 'ada@example.com'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (3, 'meh', '{}', '{}', ROW('', '', '{}'), '{}', ROW(NULL, NULL, NULL), 'none', 'x@y');
INSERT INTO public.people (id) VALUES (4);

CREATE FUNCTION public.person_name(p public.person) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT (p).name $$;

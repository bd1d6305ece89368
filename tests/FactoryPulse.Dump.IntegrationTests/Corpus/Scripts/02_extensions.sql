-- 02: extensions in their own schema (WITH SCHEMA) and a table using their types, with rows.
CREATE SCHEMA ext;
CREATE EXTENSION pgcrypto WITH SCHEMA ext;
CREATE EXTENSION citext WITH SCHEMA ext;
CREATE EXTENSION hstore WITH SCHEMA public;

CREATE TABLE public.accounts (
    id integer PRIMARY KEY,
    email ext.citext NOT NULL UNIQUE,
    attrs hstore,
    tags ext.citext[],
    token_hash text NOT NULL
);
INSERT INTO public.accounts VALUES
    (1, 'Ada@Example.com', 'plan=>pro, "quoted key"=>"a,b"', '{Red,GREEN}', encode(ext.digest('ada', 'sha256'), 'hex')),
    (2, 'grace@example.COM', 'plan=>free, empty=>NULL', NULL, encode(ext.hmac('grace', 'key', 'sha1'), 'hex')),
    (3, 'linus@example.org', NULL, '{}', encode(ext.digest('', 'md5'), 'hex'));

CREATE INDEX accounts_attrs ON public.accounts USING gin (attrs);
CREATE FUNCTION public.account_digest(p_id integer) RETURNS text LANGUAGE sql STABLE
    SET search_path = ext, public
    AS $$ SELECT encode(digest(email::text, 'sha1'), 'hex') FROM public.accounts WHERE id = p_id $$;

-- 12: sequences with every option, OWNED BY, advanced values, and one with is_called = false.
CREATE SEQUENCE public.seq_small AS smallint INCREMENT BY -1 MINVALUE -1000 MAXVALUE -1 START WITH -10 CACHE 1 CYCLE;
SELECT nextval('public.seq_small'), nextval('public.seq_small');

CREATE SEQUENCE public.seq_big AS bigint INCREMENT BY 1000 MINVALUE 0 MAXVALUE 9223372036854775807 START WITH 5000 CACHE 20 NO CYCLE;
SELECT nextval('public.seq_big');

CREATE SEQUENCE public.seq_int AS integer START 7;
SELECT setval('public.seq_int', 42, false);

CREATE SEQUENCE public.seq_untouched;
CREATE SEQUENCE public.seq_at_max AS smallint MAXVALUE 3 START 1;
SELECT nextval('public.seq_at_max'), nextval('public.seq_at_max'), nextval('public.seq_at_max');

CREATE TABLE public.tickets (
    id integer NOT NULL,
    other_id bigint
);
CREATE SEQUENCE public.tickets_id_seq AS integer START 100 INCREMENT 3 OWNED BY public.tickets.id;
ALTER TABLE public.tickets ALTER COLUMN id SET DEFAULT nextval('public.tickets_id_seq');
CREATE SEQUENCE public.tickets_other_seq OWNED BY public.tickets.other_id;
ALTER TABLE public.tickets ALTER COLUMN other_id SET DEFAULT nextval('public.tickets_other_seq'::regclass);
INSERT INTO public.tickets DEFAULT VALUES;
INSERT INTO public.tickets DEFAULT VALUES;
INSERT INTO public.tickets (other_id) VALUES (999);

CREATE TABLE public.serials (id serial PRIMARY KEY, big bigserial, small smallserial, v text);
INSERT INTO public.serials (v) VALUES ('a'), ('b'), ('c');
SELECT setval('public.serials_big_seq', 1000, true);

-- 05: collations (copied from "C", ICU when the server has ICU, non-deterministic) and column collations.
CREATE COLLATION public.c_copy FROM "C";
CREATE COLLATION public.posix_copy FROM "POSIX";
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i') THEN
        EXECUTE $x$CREATE COLLATION public.german_phonebook (provider = icu, locale = 'de-u-co-phonebk')$x$;
        EXECUTE $x$CREATE COLLATION public.case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false)$x$;
    ELSE
        CREATE COLLATION public.german_phonebook FROM "C";
        CREATE COLLATION public.case_insensitive FROM "C";
    END IF;
END $$;

CREATE TABLE public.words (
    id integer PRIMARY KEY,
    w_c text COLLATE public.c_copy,
    w_de text COLLATE public.german_phonebook,
    w_ci varchar(40) COLLATE public.case_insensitive,
    w_posix text COLLATE "POSIX",
    w_default text
);
INSERT INTO public.words VALUES
    (1, 'apple', 'Müller', 'Hello', 'b', 'x'),
    (2, 'Banana', 'Mueller', 'HELLO', 'A', NULL),
    (3, 'cherry', 'Möller', 'world', NULL, 'ä');
CREATE INDEX words_de ON public.words (w_de);
CREATE INDEX words_c_by_posix ON public.words (w_c COLLATE "POSIX");
CREATE VIEW public.sorted_words AS SELECT id, w_de FROM public.words ORDER BY w_de COLLATE public.c_copy;

-- 06: text search parser, template, dictionaries (simple and snowball), a configuration with mappings,
-- and tsvector columns (stored generated and plain) with rows.
CREATE SCHEMA fts;
CREATE TEXT SEARCH PARSER fts.my_parser (
    START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
CREATE TEXT SEARCH TEMPLATE fts.my_simple_template (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH DICTIONARY fts.english_stem_nostop (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH DICTIONARY fts.simple_pass (TEMPLATE = pg_catalog.simple, ACCEPT = false);
CREATE TEXT SEARCH DICTIONARY fts.from_my_template (TEMPLATE = fts.my_simple_template);
CREATE TEXT SEARCH CONFIGURATION fts.my_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION fts.my_english
    ALTER MAPPING FOR asciiword, word WITH fts.simple_pass, fts.english_stem_nostop;
ALTER TEXT SEARCH CONFIGURATION fts.my_english DROP MAPPING FOR email, url;
CREATE TEXT SEARCH CONFIGURATION fts.with_my_parser (PARSER = fts.my_parser);
ALTER TEXT SEARCH CONFIGURATION fts.with_my_parser ADD MAPPING FOR asciiword, word, int WITH fts.from_my_template;

CREATE TABLE public.docs (
    id integer PRIMARY KEY,
    body text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('fts.my_english'::regconfig, body)) STORED,
    manual tsvector,
    q tsquery,
    cfg regconfig DEFAULT 'fts.my_english'
);
INSERT INTO public.docs (id, body, manual, q) VALUES
    (1, 'The quick brown foxes jumped over the lazy dogs', to_tsvector('fts.with_my_parser', 'Quick Foxes 42'), 'fox & dog'),
    (2, 'Running runners run', 'a:1A b:2B ''it''''s'':3', 'run <-> runner'),
    (3, '', NULL, NULL);
CREATE INDEX docs_tsv ON public.docs USING gin (tsv);

-- 11: indexes: unique, partial, expression, INCLUDE, GIN (jsonb_path_ops), GiST (opclass options), BRIN,
-- hash, DESC / NULLS FIRST, collation, storage parameters, expression statistics target, CLUSTER ON.
CREATE TABLE public.items (
    id integer PRIMARY KEY,
    name text NOT NULL,
    email text,
    doc jsonb,
    tsv tsvector,
    area box,
    created timestamp NOT NULL,
    score integer,
    active boolean NOT NULL DEFAULT true
);
INSERT INTO public.items
SELECT g, 'item ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'User' || g || '@Example.com' END,
       jsonb_build_object('g', g, 'tags', jsonb_build_array('t' || (g % 4))),
       to_tsvector('simple', 'word' || g || ' common'),
       box(point(g, g), point(g + 1, g + 2)),
       timestamp '2024-01-01' + g * interval '1 hour',
       CASE WHEN g % 5 = 0 THEN NULL ELSE g % 17 END,
       g % 2 = 0
FROM generate_series(1, 200) g;

CREATE UNIQUE INDEX items_email_lower ON public.items (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX items_active_partial ON public.items (created) WHERE active AND score > 3;
CREATE INDEX items_name_include ON public.items (name) INCLUDE (score, active);
CREATE INDEX items_doc_path ON public.items USING gin (doc jsonb_path_ops);
CREATE INDEX items_doc_default ON public.items USING gin (doc) WITH (fastupdate = off, gin_pending_list_limit = 128);
CREATE INDEX items_tsv_gist ON public.items USING gist (tsv tsvector_ops (siglen = 100));
CREATE INDEX items_area ON public.items USING gist (area) WITH (buffering = on);
CREATE INDEX items_created_brin ON public.items USING brin (created) WITH (pages_per_range = 16, autosummarize = on);
CREATE INDEX items_name_hash ON public.items USING hash (name);
CREATE INDEX items_score_desc ON public.items (score DESC NULLS LAST, id ASC NULLS FIRST);
CREATE INDEX items_name_c ON public.items (name COLLATE "C" text_pattern_ops) WITH (fillfactor = 60);
CREATE INDEX items_multi_expr ON public.items ((score * 2), upper(name));
ALTER INDEX public.items_multi_expr ALTER COLUMN 1 SET STATISTICS 250;
CREATE INDEX items_created ON public.items (created);
ALTER TABLE public.items CLUSTER ON items_created;
CREATE UNIQUE INDEX items_id_name ON public.items (id, name);
ALTER TABLE public.items ADD CONSTRAINT items_id_name_key UNIQUE USING INDEX items_id_name;

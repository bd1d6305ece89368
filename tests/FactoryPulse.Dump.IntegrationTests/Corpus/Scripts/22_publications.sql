-- requires: 15
-- 22: publications: FOR TABLE with a column list and a WHERE row filter (15+), FOR ALL TABLES,
-- FOR TABLES IN SCHEMA (15+), publish options, publish_via_partition_root, replica identity settings.
CREATE SCHEMA pubs;
CREATE TABLE public.customers (id integer PRIMARY KEY, name text, email text, region text NOT NULL DEFAULT 'eu');
CREATE TABLE public.audit_full (id integer, payload text);
ALTER TABLE public.audit_full REPLICA IDENTITY FULL;
CREATE TABLE public.keyed (a integer NOT NULL, b integer NOT NULL, c text);
CREATE UNIQUE INDEX keyed_ab ON public.keyed (a, b);
ALTER TABLE public.keyed REPLICA IDENTITY USING INDEX keyed_ab;
CREATE TABLE pubs.in_schema (id integer PRIMARY KEY, v text);
CREATE TABLE public.parted (id integer, k text) PARTITION BY LIST (k);
CREATE TABLE public.parted_a PARTITION OF public.parted FOR VALUES IN ('a');
INSERT INTO public.customers VALUES (1, 'ada', 'ada@x', 'eu'), (2, 'bob', NULL, 'us');
INSERT INTO public.audit_full VALUES (1, 'p');
INSERT INTO public.keyed VALUES (1, 2, 'c');
INSERT INTO pubs.in_schema VALUES (1, 'v');
INSERT INTO public.parted VALUES (1, 'a');

CREATE PUBLICATION corpus_filtered FOR TABLE public.customers (id, name, region) WHERE (region = 'eu'), public.keyed
    WITH (publish = 'insert, update');
CREATE PUBLICATION corpus_all FOR ALL TABLES WITH (publish = 'insert, update, delete, truncate');
CREATE PUBLICATION corpus_schema FOR TABLES IN SCHEMA pubs, TABLE public.audit_full WITH (publish = 'delete', publish_via_partition_root = false);
CREATE PUBLICATION corpus_parted FOR TABLE public.parted WITH (publish_via_partition_root = true);
CREATE PUBLICATION corpus_empty;

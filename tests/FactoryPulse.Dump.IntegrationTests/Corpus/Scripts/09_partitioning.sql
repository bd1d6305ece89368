-- 09: partitioned tables: range, list, hash, multi-level, default partitions, a partitioned index attached
-- to a separately created partition index, a partition attached later, rows spread across partitions.
CREATE TABLE public.measurements (
    id bigint NOT NULL,
    taken date NOT NULL,
    region text NOT NULL,
    value numeric,
    PRIMARY KEY (id, taken, region)
) PARTITION BY RANGE (taken);
CREATE TABLE public.measurements_2023 PARTITION OF public.measurements FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE public.measurements_2024 PARTITION OF public.measurements
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (region);
CREATE TABLE public.measurements_2024_eu PARTITION OF public.measurements_2024 FOR VALUES IN ('eu', 'uk');
CREATE TABLE public.measurements_2024_us PARTITION OF public.measurements_2024 FOR VALUES IN ('us');
CREATE TABLE public.measurements_2024_other PARTITION OF public.measurements_2024 DEFAULT;
CREATE TABLE public.measurements_default PARTITION OF public.measurements DEFAULT;
-- a table created standalone, with its own index, and attached afterwards
CREATE TABLE public.measurements_2022 (LIKE public.measurements INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
CREATE INDEX measurements_2022_region ON public.measurements_2022 (region);
ALTER TABLE public.measurements_2022 ADD PRIMARY KEY (id, taken, region);
ALTER TABLE public.measurements ATTACH PARTITION public.measurements_2022 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE INDEX measurements_region ON ONLY public.measurements (region);
ALTER INDEX public.measurements_region ATTACH PARTITION public.measurements_2022_region;
CREATE INDEX measurements_value ON public.measurements (value);

INSERT INTO public.measurements VALUES
    (1, '2022-06-01', 'eu', 1.5), (2, '2023-03-01', 'us', 2.5), (3, '2024-02-01', 'eu', 3.5),
    (4, '2024-02-01', 'uk', 4.5), (5, '2024-03-01', 'us', NULL), (6, '2024-04-01', 'apac', 6),
    (7, '2030-01-01', 'eu', 7), (8, '1999-12-31', 'mars', 8);

CREATE TABLE public.events (id integer NOT NULL, kind text NOT NULL, payload jsonb) PARTITION BY LIST (kind);
CREATE TABLE public.events_click PARTITION OF public.events FOR VALUES IN ('click');
CREATE TABLE public.events_view PARTITION OF public.events FOR VALUES IN ('view', 'impression');
CREATE TABLE public.events_null PARTITION OF public.events FOR VALUES IN (NULL);
INSERT INTO public.events VALUES (1, 'click', '{}'), (2, 'view', NULL), (3, 'impression', '[1]');

CREATE TABLE public.shards (id integer PRIMARY KEY, v text) PARTITION BY HASH (id);
CREATE TABLE public.shards_0 PARTITION OF public.shards FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE public.shards_1 PARTITION OF public.shards FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE public.shards_2 PARTITION OF public.shards FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO public.shards SELECT g, 'v' || g FROM generate_series(1, 30) g;

CREATE TABLE public.sensors (id integer PRIMARY KEY);
INSERT INTO public.sensors VALUES (1), (2);
CREATE TABLE public.readings (sensor_id integer NOT NULL REFERENCES public.sensors, at integer NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.readings_low PARTITION OF public.readings FOR VALUES FROM (MINVALUE) TO (100);
CREATE TABLE public.readings_high PARTITION OF public.readings FOR VALUES FROM (100) TO (MAXVALUE);
INSERT INTO public.readings VALUES (1, 5), (2, 500);

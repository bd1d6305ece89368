-- requires: 14
-- 04: user range types (subtype_diff, canonical-free, collation, custom multirange name) and columns using
-- range and multirange types, with rows.
CREATE FUNCTION public.float8_diff(a float8, b float8) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT AS 'SELECT a - b';
CREATE TYPE public.floatrange AS RANGE (subtype = float8, subtype_diff = public.float8_diff);
CREATE TYPE public.timerange AS RANGE (subtype = time, multirange_type_name = public.time_multi);
CREATE TYPE public.textrange AS RANGE (subtype = text, collation = "C");

CREATE TABLE public.bookings (
    id integer PRIMARY KEY,
    fr public.floatrange,
    tr public.timerange,
    tm public.time_multi,
    txr public.textrange,
    i4 int4range,
    i4m int4multirange,
    nm nummultirange,
    dr daterange,
    tsr tstzrange,
    frs public.floatrange[]
);
INSERT INTO public.bookings VALUES
    (1, '[1.5,2.5)', '[08:00,12:00)', '{[08:00,09:00), [10:00,11:00)}', '[a,m)', '[1,10)', '{[1,3), [5,8)}',
     '{[1.1,2.2]}', '[2024-01-01,2024-02-01)', '[2024-01-01 00:00+00,2024-01-02 00:00+00)', '{"[1,2)","(3,4]"}'),
    (2, 'empty', '(,)', '{}', '(,z]', 'empty', '{}', '{}', '[2024-01-01,infinity)', '(,)', '{}'),
    (3, '[-Infinity,0]', NULL, NULL, NULL, '[0,)', NULL, NULL, NULL, NULL, NULL);

CREATE INDEX bookings_fr ON public.bookings USING gist (fr);
CREATE FUNCTION public.range_len(r public.floatrange) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$ SELECT upper(r) - lower(r) $$;

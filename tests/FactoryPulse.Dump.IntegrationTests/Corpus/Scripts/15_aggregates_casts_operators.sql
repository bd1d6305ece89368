-- 15: aggregates (custom state/final functions, initcond, moving-aggregate support, an ordered-set aggregate),
-- window functions in a view, user types with CREATE CAST (WITH FUNCTION, WITH INOUT), operators on a user
-- type (commutator/negator), an operator family and class.
CREATE TYPE public.celsius AS (v numeric);
CREATE TYPE public.fahrenheit AS (v numeric);
CREATE FUNCTION public.c_to_f(c public.celsius) RETURNS public.fahrenheit LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT ROW((c).v * 9 / 5 + 32)::public.fahrenheit $$;
CREATE CAST (public.celsius AS public.fahrenheit) WITH FUNCTION public.c_to_f(public.celsius) AS IMPLICIT;
CREATE CAST (public.fahrenheit AS text) WITH INOUT AS ASSIGNMENT;

CREATE FUNCTION public.celsius_add(a public.celsius, b public.celsius) RETURNS public.celsius LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT ROW((a).v + (b).v)::public.celsius $$;
CREATE FUNCTION public.celsius_eq(a public.celsius, b public.celsius) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT (a).v = (b).v $$;
CREATE FUNCTION public.celsius_ne(a public.celsius, b public.celsius) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT (a).v <> (b).v $$;
CREATE FUNCTION public.celsius_hash(a public.celsius) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT hash_numeric((a).v) $$;
CREATE OPERATOR public.+ (LEFTARG = public.celsius, RIGHTARG = public.celsius, FUNCTION = public.celsius_add, COMMUTATOR = OPERATOR(public.+));
CREATE OPERATOR public.= (LEFTARG = public.celsius, RIGHTARG = public.celsius, FUNCTION = public.celsius_eq,
    COMMUTATOR = OPERATOR(public.=), NEGATOR = OPERATOR(public.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES);
CREATE OPERATOR public.<> (LEFTARG = public.celsius, RIGHTARG = public.celsius, FUNCTION = public.celsius_ne,
    COMMUTATOR = OPERATOR(public.<>), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR public.### (RIGHTARG = public.celsius, FUNCTION = public.c_to_f);
CREATE OPERATOR FAMILY public.celsius_fam USING hash;
CREATE OPERATOR CLASS public.celsius_hash_ops DEFAULT FOR TYPE public.celsius USING hash FAMILY public.celsius_fam AS
    OPERATOR 1 public.= (public.celsius, public.celsius),
    FUNCTION 1 public.celsius_hash(public.celsius);

CREATE AGGREGATE public.sum(public.celsius) (SFUNC = public.celsius_add, STYPE = public.celsius, INITCOND = '(0)');
CREATE FUNCTION public.avg_step(state numeric[], x numeric) RETURNS numeric[] LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN x IS NULL THEN state ELSE ARRAY[state[1] + x, state[2] + 1] END $$;
CREATE FUNCTION public.avg_final(state numeric[]) RETURNS numeric LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN state[2] = 0 THEN NULL ELSE round(state[1] / state[2], 4) END $$;
CREATE AGGREGATE public.my_avg(numeric) (
    SFUNC = public.avg_step, STYPE = numeric[], FINALFUNC = public.avg_final, INITCOND = '{0,0}', PARALLEL = SAFE);
CREATE AGGREGATE public.my_sum(integer) (
    SFUNC = int4pl, STYPE = integer, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = integer, MINITCOND = '0', INITCOND = '0');
CREATE FUNCTION public.median_final(state float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE
    AS $$ SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(state) x $$;
CREATE AGGREGATE public.my_median(ORDER BY float8) (SFUNC = array_append, STYPE = float8[], FINALFUNC = public.median_final, INITCOND = '{}');

CREATE TABLE public.temps (id integer PRIMARY KEY, city text, t public.celsius, n integer);
INSERT INTO public.temps VALUES (1, 'Oslo', ROW(-3.5), 1), (2, 'Oslo', ROW(1), 2), (3, 'Rome', ROW(18.25), 3), (4, 'Rome', NULL, NULL);
CREATE VIEW public.temp_stats AS
    SELECT city, public.sum(t) AS total, public.my_avg((t).v) AS avg_v, public.my_median() WITHIN GROUP (ORDER BY (t).v::float8) AS median_v
    FROM public.temps GROUP BY city;
CREATE VIEW public.temp_windows AS
    SELECT id, city, rank() OVER (PARTITION BY city ORDER BY (t).v DESC NULLS LAST) AS rnk,
           public.my_sum(n) OVER w AS running, (t)::public.fahrenheit AS f, t + t AS doubled, ### t AS via_prefix
    FROM public.temps WINDOW w AS (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);

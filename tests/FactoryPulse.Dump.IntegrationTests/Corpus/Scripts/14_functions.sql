-- requires: 14
-- 14: functions and procedures: SQL, plpgsql, SQL-standard bodies (BEGIN ATOMIC, RETURN), SECURITY DEFINER,
-- SET search_path, overloads, defaults, VARIADIC, RETURNS TABLE / SETOF, volatility, PARALLEL SAFE, LEAKPROOF,
-- COST/ROWS, STRICT, a procedure with INOUT, a function used in a column default.
CREATE SCHEMA app;
CREATE TABLE app.counters (name text PRIMARY KEY, n integer NOT NULL DEFAULT 0);
INSERT INTO app.counters VALUES ('a', 1), ('b', 2);

CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF COST 5
    AS 'SELECT a + b';
CREATE FUNCTION app.add(a numeric, b numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE FUNCTION app.add(a text, VARIADIC rest text[]) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT a || array_to_string(rest, ',') $$;
CREATE FUNCTION app.mul(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a * b;
CREATE FUNCTION app.counter_sum() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT sum(n) FROM app.counters;
END;
CREATE FUNCTION app.bump(p_name text) RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = app, pg_temp
AS $fn$
DECLARE
    v integer;
BEGIN
    UPDATE counters SET n = n + 1 WHERE name = p_name RETURNING n INTO v;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no counter %', p_name USING ERRCODE = 'no_data_found';
    END IF;
    RETURN v;
END
$fn$;
CREATE FUNCTION app.counters_over(min_n integer DEFAULT 0, OUT name text, OUT n integer) RETURNS SETOF record
    LANGUAGE sql STABLE ROWS 20 AS $$ SELECT name, n FROM app.counters WHERE n >= min_n ORDER BY name $$;
CREATE FUNCTION app.counter_table(prefix text) RETURNS TABLE (counter_name text, value integer)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $$
BEGIN
    RETURN QUERY SELECT c.name, c.n FROM app.counters c WHERE c.name LIKE prefix || '%';
END
$$;
CREATE FUNCTION app.all_counters() RETURNS SETOF app.counters LANGUAGE sql STABLE AS 'SELECT * FROM app.counters';
CREATE FUNCTION app.noop() RETURNS void LANGUAGE plpgsql CALLED ON NULL INPUT SET work_mem = '8MB' SET statement_timeout = 5000 AS $$ BEGIN END $$;
CREATE FUNCTION app.default_name() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT 'c' || (SELECT count(*) FROM app.counters) $$;
CREATE FUNCTION app.uses_atomic(x integer) RETURNS integer LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
    SELECT app.mul(x, 2) + app.add(x);
END;

CREATE PROCEDURE app.reset_counter(IN p_name text, INOUT old_value integer DEFAULT NULL)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = app
AS $$
BEGIN
    SELECT n INTO old_value FROM counters WHERE name = p_name;
    UPDATE counters SET n = 0 WHERE name = p_name;
END
$$;
CREATE PROCEDURE app.insert_counter(p_name text)
    LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO app.counters (name) VALUES (p_name);
END;

CREATE TABLE app.uses_default (name text DEFAULT app.default_name(), doubled integer GENERATED ALWAYS AS (app.mul(2, 2)) STORED);
INSERT INTO app.uses_default DEFAULT VALUES;
CALL app.insert_counter('c');

-- The "many objects" shape of issue 16: a schema-per-tenant SaaS database.
-- psql -v ON_ERROR_STOP=1 -v tables=3000 -f many_objects.sql   (tables defaults to 3000; 100 tables per schema)
-- Per table: primary key, foreign key, 2 secondary indexes, RLS with 2 policies, a trigger, a view, a function,
-- a grant, a comment and 20 rows: about 18 catalog objects per table (≈ 54 000 for 3 000 tables).
-- Deterministic: generate_series only, no random().
\if :{?tables}
\else
\set tables 3000
\endif
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tenant_reader') THEN CREATE ROLE tenant_reader NOLOGIN; END IF;
END $$;
CREATE OR REPLACE FUNCTION public.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE OR REPLACE FUNCTION public.current_tenant() RETURNS int LANGUAGE sql STABLE AS
$$SELECT coalesce(nullif(current_setting('app.tenant', true), ''), '0')::int$$;
SELECT set_config('fp.tables', :'tables', false) \g /dev/null
DO $$
DECLARE
  n int := current_setting('fp.tables')::int;
  s text; t text; parent text;
BEGIN
  FOR i IN 1..n LOOP
    s := format('tenant_%s', lpad(((i - 1) / 100 + 1)::text, 3, '0'));
    t := format('items_%s', lpad(i::text, 5, '0'));
    IF (i - 1) % 100 = 0 THEN
      EXECUTE format('CREATE SCHEMA %I', s);
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO tenant_reader', s);
      EXECUTE format('CREATE TABLE %I.accounts (id int PRIMARY KEY, name text NOT NULL)', s);
      EXECUTE format('INSERT INTO %I.accounts SELECT g, ''account '' || g FROM generate_series(1, 20) g', s);
    END IF;
    EXECUTE format($f$CREATE TABLE %1$I.%2$I (
        id int PRIMARY KEY,
        account_id int NOT NULL REFERENCES %1$I.accounts (id),
        tenant int NOT NULL DEFAULT 1,
        code text NOT NULL,
        amount numeric(12,2),
        updated_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00')$f$, s, t);
    EXECUTE format('CREATE INDEX %I ON %I.%I (account_id)', t || '_account_idx', s, t);
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I.%I (code)', t || '_code_key', s, t);
    EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', s, t);
    EXECUTE format('CREATE POLICY %I ON %I.%I FOR SELECT USING (tenant = public.current_tenant())', t || '_read', s, t);
    EXECUTE format('CREATE POLICY %I ON %I.%I FOR INSERT WITH CHECK (tenant = public.current_tenant())', t || '_write', s, t);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I.%I FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at()', t || '_touch', s, t);
    EXECUTE format('CREATE VIEW %I.%I AS SELECT id, account_id, code, amount FROM %I.%I WHERE amount > 0', s, t || '_positive', s, t);
    EXECUTE format($f$CREATE FUNCTION %1$I.%2$I(p_account int) RETURNS numeric LANGUAGE sql STABLE
        AS 'SELECT coalesce(sum(amount), 0) FROM %1$I.%3$I WHERE account_id = p_account'$f$, s, t || '_total', t);
    EXECUTE format('GRANT SELECT ON %I.%I TO tenant_reader', s, t);
    EXECUTE format('COMMENT ON TABLE %I.%I IS %L', s, t, 'items of tenant ' || s || ', table ' || i);
    EXECUTE format($f$INSERT INTO %I.%I (id, account_id, code, amount)
        SELECT g, (g %% 20) + 1, %L || '-' || g, (g * 7 %% 1000) / 10.0 FROM generate_series(1, 20) g$f$, s, t, t);
    -- One transaction per schema: a single one would run out of lock slots (max_locks_per_transaction).
    IF i % 100 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
ANALYZE;

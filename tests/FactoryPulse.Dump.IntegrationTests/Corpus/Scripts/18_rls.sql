-- 18: row-level security: ENABLE + FORCE, permissive and restrictive policies per command and per role,
-- and policies calling a SECURITY DEFINER function.
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_reader', 'corpus_writer', 'corpus_admin'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END LOOP;
END $$;

CREATE SCHEMA sec;
CREATE TABLE sec.tenants (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE sec.notes (id integer PRIMARY KEY, tenant_id integer NOT NULL REFERENCES sec.tenants, body text, archived boolean NOT NULL DEFAULT false);
INSERT INTO sec.tenants VALUES (1, 'acme'), (2, 'globex');
INSERT INTO sec.notes VALUES (1, 1, 'a1', false), (2, 1, 'a2', true), (3, 2, 'g1', false);

CREATE FUNCTION sec.current_tenant() RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
    AS $$ SELECT nullif(current_setting('app.tenant', true), '')::integer $$;
CREATE FUNCTION sec.is_admin() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
    AS $$ SELECT pg_has_role(session_user, 'corpus_admin', 'member') $$;

ALTER TABLE sec.notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE sec.notes FORCE ROW LEVEL SECURITY;
ALTER TABLE sec.tenants ENABLE ROW LEVEL SECURITY;

CREATE POLICY notes_all_admin ON sec.notes FOR ALL TO corpus_admin USING (true) WITH CHECK (true);
CREATE POLICY notes_select ON sec.notes AS PERMISSIVE FOR SELECT TO corpus_reader, corpus_writer USING (tenant_id = sec.current_tenant());
CREATE POLICY notes_insert ON sec.notes FOR INSERT TO corpus_writer WITH CHECK (tenant_id = sec.current_tenant() AND NOT archived);
CREATE POLICY notes_update ON sec.notes FOR UPDATE TO corpus_writer USING (tenant_id = sec.current_tenant()) WITH CHECK (body IS NOT NULL);
CREATE POLICY notes_delete ON sec.notes FOR DELETE TO corpus_writer USING (sec.is_admin() OR archived);
CREATE POLICY notes_not_archived ON sec.notes AS RESTRICTIVE FOR SELECT TO PUBLIC USING (NOT archived OR sec.is_admin());
CREATE POLICY notes_restrict_writes ON sec.notes AS RESTRICTIVE FOR ALL TO corpus_writer USING (tenant_id IS NOT NULL);
CREATE POLICY "tenant ""self"" view" ON sec.tenants FOR SELECT USING (id = sec.current_tenant());

GRANT USAGE ON SCHEMA sec TO corpus_reader, corpus_writer, corpus_admin;
GRANT SELECT ON sec.notes, sec.tenants TO corpus_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON sec.notes TO corpus_writer;
GRANT ALL ON sec.notes TO corpus_admin;

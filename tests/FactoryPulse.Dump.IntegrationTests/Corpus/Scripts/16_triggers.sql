-- 16: triggers: BEFORE/AFTER/INSTEAD OF (on a view), row and statement level, UPDATE OF, WHEN, transition
-- tables, arguments, a deferrable constraint trigger, a trigger on a partitioned table, disabled / ENABLE
-- REPLICA / ENABLE ALWAYS triggers, and event triggers (one disabled).
CREATE TABLE public.docs (id integer PRIMARY KEY, title text NOT NULL, updated_at timestamp, version integer NOT NULL DEFAULT 1);
CREATE TABLE public.audit (seq serial PRIMARY KEY, tg text, op text, detail text);

CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := timestamp '2000-01-01';
    NEW.version := COALESCE(OLD.version, 0) + 1;
    RETURN NEW;
END $$;
CREATE FUNCTION public.log_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.audit (tg, op, detail) VALUES (TG_NAME, TG_OP, array_to_string(TG_ARGV, '|'));
    RETURN NULL;
END $$;
CREATE FUNCTION public.count_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.audit (tg, op, detail) SELECT TG_NAME, TG_OP, count(*)::text FROM new_rows;
    RETURN NULL;
END $$;

CREATE TRIGGER docs_touch BEFORE INSERT OR UPDATE OF title ON public.docs FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE TRIGGER docs_log_stmt AFTER INSERT OR DELETE OR TRUNCATE ON public.docs FOR EACH STATEMENT EXECUTE FUNCTION public.log_it('stmt', 'it''s');
CREATE TRIGGER docs_log_when AFTER UPDATE ON public.docs FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION public.log_it('title changed');
CREATE TRIGGER docs_transition AFTER INSERT ON public.docs REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.count_new();
CREATE CONSTRAINT TRIGGER docs_deferred AFTER INSERT OR UPDATE ON public.docs DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION public.log_it('deferred');
INSERT INTO public.docs (id, title) VALUES (1, 'one'), (2, 'two');
UPDATE public.docs SET title = 'uno' WHERE id = 1;

CREATE TRIGGER docs_disabled AFTER DELETE ON public.docs FOR EACH ROW EXECUTE FUNCTION public.log_it('disabled');
ALTER TABLE public.docs DISABLE TRIGGER docs_disabled;
CREATE TRIGGER docs_replica AFTER DELETE ON public.docs FOR EACH ROW EXECUTE FUNCTION public.log_it('replica');
ALTER TABLE public.docs ENABLE REPLICA TRIGGER docs_replica;
CREATE TRIGGER docs_always AFTER DELETE ON public.docs FOR EACH ROW EXECUTE FUNCTION public.log_it('always');
ALTER TABLE public.docs ENABLE ALWAYS TRIGGER docs_always;

CREATE VIEW public.doc_titles AS SELECT id, title FROM public.docs;
CREATE FUNCTION public.doc_titles_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.docs (id, title) VALUES (NEW.id, upper(NEW.title));
    RETURN NEW;
END $$;
CREATE TRIGGER doc_titles_instead INSTEAD OF INSERT ON public.doc_titles FOR EACH ROW EXECUTE FUNCTION public.doc_titles_insert();
INSERT INTO public.doc_titles VALUES (3, 'three');

CREATE TABLE public.logs (id integer NOT NULL, at date NOT NULL, msg text) PARTITION BY RANGE (at);
CREATE TABLE public.logs_2024 PARTITION OF public.logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TRIGGER logs_log AFTER INSERT ON public.logs FOR EACH ROW EXECUTE FUNCTION public.log_it('partitioned');
INSERT INTO public.logs VALUES (1, '2024-05-05', 'hello');

CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'ddl: %', tg_tag;
END $$;
CREATE EVENT TRIGGER corpus_on_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION public.on_ddl();
CREATE EVENT TRIGGER corpus_on_drop ON sql_drop EXECUTE FUNCTION public.on_ddl();
ALTER EVENT TRIGGER corpus_on_drop DISABLE;
CREATE EVENT TRIGGER corpus_replica ON ddl_command_start EXECUTE FUNCTION public.on_ddl();
ALTER EVENT TRIGGER corpus_replica ENABLE REPLICA;

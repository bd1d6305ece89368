-- 26: foreign data: postgres_fdw (the extension's wrapper is not dumped, its servers are) and a handler-less wrapper
-- with options; servers with TYPE/VERSION/options; user mappings for a role and PUBLIC with a password option;
-- foreign tables with table and column options, defaults, NOT NULL, CHECKs and a generated column, one owned by
-- another role, an inheritance child and a partition that are foreign, a row trigger; grants on wrappers and
-- servers; comments. Never any data.
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_fdw_owner', 'corpus_fdw_user'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END LOOP;
END $$;

CREATE EXTENSION postgres_fdw;
GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO corpus_fdw_owner;

CREATE FOREIGN DATA WRAPPER plain_fdw OPTIONS (mode 'read only', "Odd Option" 'it''s');
COMMENT ON FOREIGN DATA WRAPPER plain_fdw IS 'a wrapper without handler or validator';
GRANT USAGE ON FOREIGN DATA WRAPPER plain_fdw TO corpus_fdw_user WITH GRANT OPTION;
CREATE FOREIGN DATA WRAPPER "Validated fdw" VALIDATOR postgresql_fdw_validator;

CREATE SERVER remote_pg FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example.invalid', port '5433', dbname 'remote');
COMMENT ON SERVER remote_pg IS 'the remote PostgreSQL';
GRANT USAGE ON FOREIGN SERVER remote_pg TO corpus_fdw_user;
CREATE SERVER "Plain Server" TYPE 'files' VERSION '1.0' FOREIGN DATA WRAPPER plain_fdw;
ALTER SERVER "Plain Server" OWNER TO corpus_fdw_owner;
CREATE SERVER bare FOREIGN DATA WRAPPER "Validated fdw";

CREATE USER MAPPING FOR corpus_fdw_user SERVER remote_pg OPTIONS (user 'remote_user', password 'pa''ss;word');
CREATE USER MAPPING FOR PUBLIC SERVER remote_pg OPTIONS (user 'guest');
CREATE USER MAPPING FOR corpus_fdw_owner SERVER "Plain Server";

CREATE SCHEMA remote;
CREATE FOREIGN TABLE remote.orders (
    id integer OPTIONS (column_name 'order_id') NOT NULL,
    status text DEFAULT 'new' COLLATE "C",
    quantity integer DEFAULT 1 CHECK (quantity > 0),
    "Note" varchar(40),
    doubled integer GENERATED ALWAYS AS (quantity * 2) STORED
) SERVER remote_pg OPTIONS (schema_name 'sales', table_name 'orders', fetch_size '500');
ALTER FOREIGN TABLE remote.orders ADD CONSTRAINT orders_id_positive CHECK (id > 0) NOT VALID;
ALTER FOREIGN TABLE remote.orders ALTER COLUMN "Note" SET STATISTICS 50;
COMMENT ON FOREIGN TABLE remote.orders IS 'orders on the remote server';
COMMENT ON COLUMN remote.orders.status IS 'remote status';
GRANT SELECT ON remote.orders TO corpus_fdw_user;
GRANT SELECT (status), UPDATE (status) ON remote.orders TO corpus_fdw_owner;

CREATE FOREIGN TABLE remote.files (path text NOT NULL, size bigint) SERVER "Plain Server";
ALTER FOREIGN TABLE remote.files OWNER TO corpus_fdw_owner;

-- A foreign child of a local parent, and a foreign partition of a local partitioned table.
CREATE TABLE remote.events (id integer NOT NULL, at date NOT NULL);
INSERT INTO remote.events VALUES (1, '2024-01-01');
CREATE FOREIGN TABLE remote.archived_events (note text) INHERITS (remote.events) SERVER remote_pg OPTIONS (table_name 'events_old');
CREATE TABLE remote.measurements (at date NOT NULL, value numeric) PARTITION BY RANGE (at);
CREATE TABLE remote.measurements_2024 PARTITION OF remote.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO remote.measurements VALUES ('2024-05-01', 1.5);
CREATE FOREIGN TABLE remote.measurements_old PARTITION OF remote.measurements FOR VALUES FROM ('2000-01-01') TO ('2024-01-01')
    SERVER remote_pg OPTIONS (table_name 'measurements_old');

-- A row trigger on a foreign table, calling a function of ours.
CREATE FUNCTION remote.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.status := coalesce(NEW.status, 'new'); RETURN NEW; END $$;
CREATE TRIGGER orders_stamp BEFORE INSERT ON remote.orders FOR EACH ROW EXECUTE FUNCTION remote.stamp();

-- A view over a foreign table: the dump must create the table (and its server) before it.
CREATE VIEW remote.open_orders AS SELECT id, status FROM remote.orders WHERE status <> 'done';

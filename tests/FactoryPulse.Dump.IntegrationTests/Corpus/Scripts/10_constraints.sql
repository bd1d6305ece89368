-- requires: 15
-- 10: CHECK (incl. NOT VALID), UNIQUE (NULLS NOT DISTINCT, DEFERRABLE INITIALLY DEFERRED), EXCLUDE using gist,
-- foreign keys (composite, MATCH FULL, ON DELETE/UPDATE actions, DEFERRABLE, self-referencing, a two-table cycle).
CREATE TABLE public.products (
    id integer PRIMARY KEY,
    sku text NOT NULL,
    price numeric CONSTRAINT price_positive CHECK (price > 0),
    discount numeric,
    barcode text,
    CONSTRAINT discount_lt_price CHECK (discount IS NULL OR discount < price),
    CONSTRAINT sku_unique UNIQUE (sku),
    CONSTRAINT barcode_unique UNIQUE NULLS NOT DISTINCT (barcode),
    CONSTRAINT sku_deferred UNIQUE (id, sku) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO public.products VALUES (1, 'A-1', 10, 1, 'b1'), (2, 'B-2', 20, NULL, NULL), (3, 'C-3', 10, 7, 'b3');
-- row 3 violates the new constraint, which is added NOT VALID
ALTER TABLE public.products ADD CONSTRAINT discount_small CHECK (discount IS NULL OR discount < 5) NOT VALID;

CREATE TABLE public.rooms (room integer, during int4range, EXCLUDE USING gist (during WITH &&) WHERE (room IS NOT NULL));
INSERT INTO public.rooms VALUES (1, '[1,5)'), (2, '[5,10)'), (NULL, '[1,5)');

CREATE TABLE public.warehouses (country char(2), code integer, name text, PRIMARY KEY (country, code));
INSERT INTO public.warehouses VALUES ('DE', 1, 'Berlin'), ('DE', 2, 'Hamburg'), ('US', 1, 'Reno');
CREATE TABLE public.stock (
    id integer PRIMARY KEY,
    product_id integer REFERENCES public.products ON DELETE CASCADE ON UPDATE CASCADE,
    country char(2),
    code integer,
    parent_id integer REFERENCES public.stock (id) ON DELETE SET NULL DEFERRABLE,
    CONSTRAINT stock_warehouse FOREIGN KEY (country, code) REFERENCES public.warehouses MATCH FULL ON DELETE RESTRICT ON UPDATE SET DEFAULT,
    CONSTRAINT stock_warehouse_simple FOREIGN KEY (country, code) REFERENCES public.warehouses (country, code) ON DELETE SET NULL (code) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO public.stock VALUES (1, 1, 'DE', 1, NULL), (2, 2, 'DE', 2, 1), (3, 3, NULL, NULL, 2), (4, NULL, 'US', 1, 4);

-- a cycle: each table references the other; rows reference each other
CREATE TABLE public.employees (id integer PRIMARY KEY, name text, department_id integer);
CREATE TABLE public.departments (id integer PRIMARY KEY, name text, manager_id integer REFERENCES public.employees DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE public.employees ADD CONSTRAINT employees_department FOREIGN KEY (department_id) REFERENCES public.departments DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO public.employees VALUES (1, 'Ada', 10), (2, 'Grace', 20), (3, 'Linus', 10);
INSERT INTO public.departments VALUES (10, 'R&D', 1), (20, 'Ops', 2);
COMMIT;
-- a NOT VALID foreign key with an orphan row
CREATE TABLE public.orphans (id integer PRIMARY KEY, employee_id integer);
INSERT INTO public.orphans VALUES (1, 1), (2, 999);
ALTER TABLE public.orphans ADD CONSTRAINT orphans_employee FOREIGN KEY (employee_id) REFERENCES public.employees NOT VALID;

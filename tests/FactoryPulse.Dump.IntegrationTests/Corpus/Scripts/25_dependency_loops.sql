-- requires: 14
-- Loops the sorter must repair: a CHECK calling a function that reads its own table (SQL-standard body), and a view
-- and a function that use each other (pg_dump's placeholder view).
CREATE TABLE public.stock (id int PRIMARY KEY, qty int);
CREATE FUNCTION public.max_qty() RETURNS int LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT coalesce(max(qty), 1000) FROM public.stock;
END;
ALTER TABLE public.stock ADD CONSTRAINT stock_qty_bounded CHECK (qty <= public.max_qty() + 1000);
COMMENT ON CONSTRAINT stock_qty_bounded ON public.stock IS 'checked through a function that reads the table';
INSERT INTO public.stock VALUES (1, 5), (2, 7), (3, 11);

CREATE VIEW public.stock_view AS SELECT id FROM public.stock;
CREATE FUNCTION public.stock_rows() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) FROM public.stock_view;
END;
CREATE OR REPLACE VIEW public.stock_view AS SELECT id, public.stock_rows() AS total FROM public.stock;
COMMENT ON VIEW public.stock_view IS 'uses a function that uses this view';

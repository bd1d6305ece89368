-- requires: 15
-- 13: views: security_barrier, security_invoker (15+), WITH CHECK OPTION (local and cascaded), views on views,
-- a recursive view, a view grouping by a primary key, column defaults on views, materialized views with and
-- without data and with an index.
CREATE TABLE public.orders (id integer PRIMARY KEY, customer text NOT NULL, status text NOT NULL DEFAULT 'new');
CREATE TABLE public.order_lines (order_id integer REFERENCES public.orders, line integer, qty integer, PRIMARY KEY (order_id, line));
INSERT INTO public.orders VALUES (1, 'ada', 'new'), (2, 'grace', 'shipped'), (3, 'ada', 'new');
INSERT INTO public.order_lines VALUES (1, 1, 2), (1, 2, 5), (2, 1, 1);

-- customer is functionally dependent on the primary key: the view needs orders_pkey to exist first
CREATE VIEW public.order_totals AS
    SELECT o.id, o.customer, sum(l.qty) AS qty FROM public.orders o LEFT JOIN public.order_lines l ON l.order_id = o.id GROUP BY o.id;
CREATE VIEW public.new_orders WITH (security_barrier = true) AS
    SELECT id, customer, status FROM public.orders WHERE status = 'new' WITH LOCAL CHECK OPTION;
CREATE VIEW public.new_ada_orders AS
    SELECT id, customer, status FROM public.new_orders WHERE customer = 'ada' WITH CASCADED CHECK OPTION;
CREATE VIEW public.invoker_view WITH (security_invoker = true, check_option = local) AS
    SELECT id, status FROM public.orders WHERE id > 0;
ALTER VIEW public.new_orders ALTER COLUMN status SET DEFAULT 'new';
CREATE VIEW public.big_totals AS SELECT * FROM public.order_totals WHERE qty > 3;
CREATE RECURSIVE VIEW public.countdown (n) AS VALUES (5) UNION ALL SELECT n - 1 FROM countdown WHERE n > 1;
CREATE VIEW public.constant_view AS SELECT 1 AS one, 'two'::text AS two, NULL::integer AS nothing;

CREATE MATERIALIZED VIEW public.customer_stats AS
    SELECT customer, count(*) AS orders FROM public.orders GROUP BY customer WITH DATA;
CREATE UNIQUE INDEX customer_stats_customer ON public.customer_stats (customer);
CREATE MATERIALIZED VIEW public.empty_stats AS SELECT status, count(*) AS n FROM public.orders GROUP BY status WITH NO DATA;
CREATE MATERIALIZED VIEW public.stats_on_view WITH (fillfactor = 80) AS SELECT * FROM public.big_totals;
CREATE VIEW public.view_on_matview AS SELECT customer FROM public.customer_stats WHERE orders > 1;

-- 23: extended statistics (dependencies, ndistinct, mcv), a statistics target on one, in another schema.
CREATE SCHEMA st;
CREATE TABLE public.addresses (id integer PRIMARY KEY, city text, zip text, country text, population integer);
INSERT INTO public.addresses
SELECT g, 'city' || (g % 10), 'zip' || (g % 10), CASE WHEN g % 10 < 5 THEN 'DE' ELSE 'FR' END, g % 10 * 1000
FROM generate_series(1, 100) g;
CREATE STATISTICS public.addr_deps (dependencies, ndistinct) ON city, zip FROM public.addresses;
CREATE STATISTICS st.addr_all ON city, zip, country FROM public.addresses;
CREATE STATISTICS public.addr_mcv (mcv) ON country, population FROM public.addresses;
ALTER STATISTICS public.addr_mcv SET STATISTICS 500;
ANALYZE public.addresses;

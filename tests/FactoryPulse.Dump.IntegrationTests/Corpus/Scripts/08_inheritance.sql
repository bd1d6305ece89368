-- 08: table inheritance: a parent, two children (one with an extra column and its own constraint), a
-- grandchild with multiple parents, NO INHERIT constraint; rows in each.
CREATE TABLE public.vehicles (
    id integer NOT NULL,
    name text NOT NULL DEFAULT 'unnamed',
    wheels integer CONSTRAINT wheels_nonnegative CHECK (wheels >= 0),
    CONSTRAINT parent_only CHECK (id > 0) NO INHERIT
);
CREATE TABLE public.cars (doors integer DEFAULT 4, PRIMARY KEY (id)) INHERITS (public.vehicles);
CREATE TABLE public.bikes (electric boolean NOT NULL DEFAULT false) INHERITS (public.vehicles);
ALTER TABLE public.bikes ALTER COLUMN name SET DEFAULT 'bike';
CREATE TABLE public.tags (tag text);
CREATE TABLE public.tagged_cars (extra text) INHERITS (public.cars, public.tags);

INSERT INTO public.vehicles (id, name, wheels) VALUES (1, 'generic', 0), (2, 'cart', 2);
INSERT INTO public.cars (id, name, wheels, doors) VALUES (10, 'sedan', 4, 4), (11, 'coupe', 4, 2);
INSERT INTO public.bikes (id, wheels, electric) VALUES (20, 2, true), (-21, 2, false);
INSERT INTO public.tagged_cars (id, name, wheels, doors, tag, extra) VALUES (30, 'taxi', 4, 4, 'yellow', 'x');
INSERT INTO public.tags VALUES ('loose tag');

CREATE INDEX vehicles_name ON public.vehicles (name);
CREATE VIEW public.all_vehicles AS SELECT tableoid::regclass::text AS kind, id, name FROM public.vehicles;

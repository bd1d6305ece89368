-- 21: large objects: content (empty, small, multi-page), fixed and assigned oids, owner, grants, comments.
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_lo_owner', 'corpus_reader'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN NULL;
        END;
    END LOOP;
END $$;

SELECT lo_from_bytea(424242, convert_to('hello, large object', 'UTF8'));
SELECT lo_from_bytea(424243, ''::bytea);
SELECT lo_from_bytea(424244, (SELECT string_agg(decode(md5(g::text), 'hex'), ''::bytea) FROM generate_series(1, 20000) g));
SELECT lo_from_bytea(424245, '\x00010203ff'::bytea);

ALTER LARGE OBJECT 424242 OWNER TO corpus_lo_owner;
GRANT SELECT ON LARGE OBJECT 424242 TO corpus_reader;
GRANT SELECT, UPDATE ON LARGE OBJECT 424244 TO corpus_reader WITH GRANT OPTION;
REVOKE ALL ON LARGE OBJECT 424245 FROM PUBLIC;
COMMENT ON LARGE OBJECT 424242 IS 'greeting';
COMMENT ON LARGE OBJECT 424244 IS E'big\nbinary */';

CREATE TABLE public.attachments (id integer PRIMARY KEY, name text, content oid);
INSERT INTO public.attachments VALUES (1, 'greeting.txt', 424242), (2, 'empty.bin', 424243), (3, 'big.bin', 424244);

-- 17: rules: DO INSTEAD on a view (insert/update/delete), DO ALSO on a table, a conditional DO INSTEAD NOTHING,
-- and a rule on a table redirecting inserts.
CREATE TABLE public.accounts (id integer PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL DEFAULT 0, locked boolean NOT NULL DEFAULT false);
CREATE TABLE public.account_log (id serial PRIMARY KEY, account_id integer, action text, amount numeric);
CREATE TABLE public.archive (id integer, owner text);
INSERT INTO public.accounts VALUES (1, 'ada', 100, false), (2, 'grace', 50, true);

CREATE VIEW public.account_view AS SELECT id, owner, balance FROM public.accounts;
CREATE RULE account_view_insert AS ON INSERT TO public.account_view DO INSTEAD
    INSERT INTO public.accounts (id, owner, balance) VALUES (NEW.id, NEW.owner, NEW.balance);
CREATE RULE account_view_update AS ON UPDATE TO public.account_view DO INSTEAD
    UPDATE public.accounts SET owner = NEW.owner, balance = NEW.balance WHERE id = OLD.id;
CREATE RULE account_view_delete AS ON DELETE TO public.account_view DO INSTEAD
    DELETE FROM public.accounts WHERE id = OLD.id;

CREATE RULE accounts_log_update AS ON UPDATE TO public.accounts WHERE NEW.balance <> OLD.balance DO ALSO
    INSERT INTO public.account_log (account_id, action, amount) VALUES (NEW.id, 'balance', NEW.balance - OLD.balance);
CREATE RULE accounts_protect_locked AS ON DELETE TO public.accounts WHERE OLD.locked DO INSTEAD NOTHING;
CREATE RULE archive_redirect AS ON INSERT TO public.archive WHERE NEW.owner = 'skip' DO INSTEAD
    (INSERT INTO public.account_log (account_id, action) VALUES (NEW.id, 'skipped'); INSERT INTO public.account_log (account_id, action) VALUES (NEW.id, 'twice'));
CREATE RULE archive_notify AS ON DELETE TO public.archive DO ALSO NOTIFY archive_deletes;

INSERT INTO public.account_view VALUES (3, 'linus', 10);
UPDATE public.account_view SET balance = 75 WHERE id = 1;
DELETE FROM public.account_view WHERE id = 2;
INSERT INTO public.archive VALUES (1, 'keep'), (2, 'skip');
ALTER TABLE public.accounts DISABLE RULE accounts_protect_locked;

-- 01: schemas, tables, columns and constraints with odd names (mixed case, spaces, quotes, unicode,
-- semicolons, exactly 63 bytes), with rows.
CREATE SCHEMA "MixedCase";
CREATE SCHEMA "with space";
CREATE SCHEMA "quote""d";
CREATE SCHEMA "ünïcødé_схема";
CREATE SCHEMA "semi;colon";
CREATE SCHEMA "abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ_012345678"; -- 63 bytes

CREATE TABLE "MixedCase"."Orders" (
    "Id" integer CONSTRAINT "Orders PK" PRIMARY KEY,
    "Customer Name" text NOT NULL,
    "select" integer CONSTRAINT "select>0" CHECK ("select" > 0),
    lower_case text
);
INSERT INTO "MixedCase"."Orders" VALUES (1, 'Ada', 1, 'a'), (2, 'Grace', 2, NULL), (3, 'Linus', 3, 'c');

CREATE TABLE "with space"."table with space" (
    "column with space" integer PRIMARY KEY,
    "Order" integer CONSTRAINT "fk to ""Orders""" REFERENCES "MixedCase"."Orders" ("Id")
);
INSERT INTO "with space"."table with space" VALUES (10, 1), (20, 2), (30, NULL);

CREATE TABLE "quote""d"."ta""ble" ("co""l" text CONSTRAINT "un""ique" UNIQUE, "x'y" integer);
INSERT INTO "quote""d"."ta""ble" VALUES ('it''s', 1), ('say "hi"', 2), (NULL, 3);

CREATE TABLE "ünïcødé_схема"."таблица_с_очень_длинным_именем_ок" (
    "ключ" integer PRIMARY KEY,
    "名前" text,
    "émoji😀" text
);
INSERT INTO "ünïcødé_схема"."таблица_с_очень_длинным_именем_ок" VALUES (1, '東京', '🚀'), (2, 'Zürich', NULL);

CREATE TABLE "semi;colon"."drop table x;--" ("a;b" integer PRIMARY KEY, "c--d" text, "e/*f*/" text);
INSERT INTO "semi;colon"."drop table x;--" VALUES (1, 'x;y', '/* not a comment */'), (2, '-- nor this', NULL);

CREATE TABLE "abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ_012345678"."abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ_012345678" (
    "abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ_012345678" integer
        CONSTRAINT "zbcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ_012345678" PRIMARY KEY
);
INSERT INTO "abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ_012345678"."abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ_012345678"
VALUES (1), (2), (3);

CREATE INDEX "Index: Customer; Name" ON "MixedCase"."Orders" ("Customer Name");
CREATE VIEW "MixedCase"."View ""of"" Orders" AS SELECT "Id", "Customer Name" FROM "MixedCase"."Orders" WHERE "select" > 1;

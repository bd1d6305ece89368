using System.Text;
using System.Text.Json;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// Issue 14, item 5: a redacted archive must restore. Each column gets a replacement its type and constraints accept,
/// proven against the source at dump time, or the dump is refused before anything is written.
/// </summary>
public sealed class RedactionTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-redact-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static async Task<(PostgresServer Server, string ConnectionString)> DatabaseAsync(string prefix, string sql)
    {
        var server = await SharedPostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync(prefix);
        if (sql.Length > 0)
            await Db.ExecuteAsync(connectionString, sql);
        return (server, connectionString);
    }

    private async Task<string> DumpAsync(string source, string name, string[] redact, bool supabaseSecrets = false, DumpProfile profile = DumpProfile.None, int jobs = 1)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = source,
            OutputPath = archive,
            Redact = redact,
            RedactSupabaseSecrets = supabaseSecrets,
            Profile = profile,
            Jobs = jobs,
            Compression = DataCompression.None, // so a byte search would find the values if they were there
        });
        return archive;
    }

    private static async Task ArchiveShouldNotContainAsync(string archive, params string[] secrets)
    {
        foreach (var file in Directory.GetFiles(archive, "*", SearchOption.AllDirectories))
        {
            var text = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file));
            foreach (var secret in secrets)
                text.Should().NotContain(secret, file);
        }
    }

    /// <summary>The manifest's record of what was written for the table's redacted columns: column → "NULL" or the SQL literal.</summary>
    private static async Task<Dictionary<string, string>> RedactedAsync(string archive, string table)
    {
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json")));
        var redacted = new Dictionary<string, string>();
        foreach (var entry in manifest.RootElement.GetProperty("entries").EnumerateArray())
        {
            if (entry.GetProperty("kind").GetString() == "TABLE DATA" && entry.GetProperty("name").GetString() == table
                && entry.GetProperty("data").TryGetProperty("redacted", out var columns))
            {
                foreach (var column in columns.EnumerateObject())
                    redacted[column.Name] = column.Value.GetString()!;
            }
        }
        return redacted;
    }

    private async Task<RedactionRefusedException> RefusedAsync(string source, params string[] redact)
    {
        var archive = Path.Combine(_workDirectory, "refused");
        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, Redact = redact });
        var refusal = (await act.Should().ThrowAsync<RedactionRefusedException>()).Which;
        refusal.Should().BeAssignableTo<ArgumentException>("a redaction that cannot fit is an option error, as the CLI's exit code 2 says");
        refusal.ParamName.Should().Be(nameof(DumpOptions.Redact));
        Directory.GetFileSystemEntries(_workDirectory).Should().BeEmpty("nothing is written when a redaction is refused");
        return refusal;
    }

    [Fact]
    public async Task Redacting_a_not_null_text_column_writes_an_empty_string_and_the_archive_restores_without_errors()
    {
        // The reproduction: NULL was written into a NOT NULL column, and the restore failed.
        var (server, source) = await DatabaseAsync("redact_t7", """
            CREATE TABLE t7 (id int PRIMARY KEY, secret text NOT NULL);
            INSERT INTO t7 SELECT g, 'hunter2-the-secret-' || g FROM generate_series(1, 20) g;
            """);
        var archive = await DumpAsync(source, "t7", ["public.t7.secret"]);

        await ArchiveShouldNotContainAsync(archive, "hunter2-the-secret-");
        (await RedactedAsync(archive, "t7")).Should().Equal(new Dictionary<string, string> { ["secret"] = "''" });
        var target = await server.CreateDatabaseAsync("redact_t7_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        report.Errors.Should().BeEmpty();
        (await Db.ColumnAsync(target, "SELECT DISTINCT secret FROM t7")).Should().Equal("");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM t7")).Should().Be(20);
    }

    [Fact]
    public async Task Nullable_columns_get_null_and_not_null_columns_a_neutral_value_of_their_type()
    {
        var (server, source) = await DatabaseAsync("redact_types", """
            CREATE DOMAIN pin AS int CHECK (VALUE >= 0);
            CREATE TABLE accounts (
                id int PRIMARY KEY,
                note text UNIQUE,
                settings jsonb NOT NULL,
                device uuid NOT NULL,
                born timestamptz NOT NULL,
                code pin NOT NULL,
                tags text[] NOT NULL,
                secret_hash text GENERATED ALWAYS AS (md5(note)) STORED);
            INSERT INTO accounts (id, note, settings, device, born, code, tags)
            SELECT g, 'note-secret-' || g, '{"api_key": "key-secret"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2001-02-03 04:05:06+00', 4711, '{tag-secret}'
            FROM generate_series(1, 3) g;
            """);
        var archive = await DumpAsync(source, "types",
            ["public.accounts.note", "public.accounts.settings", "public.accounts.device", "public.accounts.born", "public.accounts.code", "public.accounts.tags"],
            jobs: 2); // the probes run under savepoints in the transaction whose snapshot the workers import

        await ArchiveShouldNotContainAsync(archive, "note-secret-", "key-secret", "a0eebc99-9c0b", "tag-secret");
        var target = await server.CreateDatabaseAsync("redact_types_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        report.Errors.Should().BeEmpty();
        (await Db.ColumnAsync(target, "SELECT DISTINCT concat_ws('|', note IS NULL, settings::text, device, born = 'epoch', code, tags::text, secret_hash IS NULL) FROM accounts"))
            .Should().Equal("t|{}|00000000-0000-0000-0000-000000000000|t|0|{}|t");
    }

    [Theory]
    [InlineData("public.accounts.api_key", "accounts_api_key_key", "would repeat in unique index accounts_api_key_key")]
    [InlineData("public.accounts.id", "sessions_account_id_fkey", "foreign key sessions_account_id_fkey of public.sessions points at its values")]
    [InlineData("public.sessions.account_id", "sessions_account_id_fkey", "would have to exist in public.accounts")]
    [InlineData("public.sessions.id", "sessions_pkey", "would repeat in unique index sessions_pkey")]
    public async Task A_column_in_a_unique_key_or_a_foreign_key_is_refused_up_front_naming_it(string column, string constraint, string reason)
    {
        var (_, source) = await DatabaseAsync("redact_keys", """
            CREATE TABLE accounts (id int PRIMARY KEY, api_key text NOT NULL UNIQUE);
            CREATE TABLE sessions (id text PRIMARY KEY, account_id int NOT NULL REFERENCES accounts, token text);
            INSERT INTO accounts SELECT g, 'key-' || g FROM generate_series(1, 3) g;
            INSERT INTO sessions SELECT 's-' || g, 1 + g % 3, 'token-' || g FROM generate_series(1, 6) g;
            """);

        var refusal = await RefusedAsync(source, column);

        refusal.Column.Should().Be(column);
        refusal.ConstraintName.Should().Be(constraint);
        refusal.Message.Should().Contain($"Cannot redact {column}").And.Contain(reason).And.Contain("One value in every row cannot satisfy that key")
            .And.Contain("--exclude-table-data").And.NotContain("=VALUE");
    }

    [Fact]
    public async Task A_rule_on_a_partitioned_table_covers_its_partitions_and_a_partition_key_column_is_refused()
    {
        var (server, source) = await DatabaseAsync("redact_parts", """
            CREATE TABLE events (id int NOT NULL, region text NOT NULL, secret text NOT NULL) PARTITION BY LIST (region);
            CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
            CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us');
            INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, 'event-secret-' || g FROM generate_series(1, 10) g;
            """);

        var refusal = await RefusedAsync(source, "public.events.region");
        refusal.Column.Should().BeOneOf("public.events_eu.region", "public.events_us.region");
        refusal.Message.Should().Contain("'' falls outside the partition's bound").And.Contain("'redacted' falls outside");

        var archive = await DumpAsync(source, "parts", ["public.events.secret", "public.events_us.secret=us"]);
        await ArchiveShouldNotContainAsync(archive, "event-secret-");
        (await RedactedAsync(archive, "events_eu")).Should().Equal(new Dictionary<string, string> { ["secret"] = "''" });
        (await RedactedAsync(archive, "events_us")).Should().Equal(new Dictionary<string, string> { ["secret"] = "'us'" }, "the rule naming the partition itself wins");
        var target = await server.CreateDatabaseAsync("redact_parts_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        report.Errors.Should().BeEmpty();
        (await Db.ColumnAsync(target, "SELECT count(*) || '/' || string_agg(DISTINCT secret, ',' ORDER BY secret) FROM events")).Should().Equal("10/,us");
    }

    [Fact]
    public async Task The_cli_refuses_a_redaction_that_cannot_fit_as_a_usage_error_with_exit_code_2()
    {
        var (_, source) = await DatabaseAsync("redact_cli", """
            CREATE TABLE accounts (id int PRIMARY KEY, api_key text NOT NULL UNIQUE);
            INSERT INTO accounts SELECT g, 'key-' || g FROM generate_series(1, 3) g;
            """);
        var archive = Path.Combine(_workDirectory, "cli");

        var cli = await ExternalTool.FpdumpAsync("dump", "--connection", source, "--output", archive, "--redact", "public.accounts.api_key");

        cli.ExitCode.Should().Be(2, cli.Stderr);
        cli.Stderr.Trim().Should().StartWith("fpdump: Cannot redact public.accounts.api_key (text)").And.Contain("accounts_api_key_key").And.NotContain("\n");
        Directory.GetFileSystemEntries(_workDirectory).Should().BeEmpty();
    }

    [Fact]
    public async Task A_unique_column_that_allows_null_and_a_nullable_foreign_key_are_written_as_null()
    {
        var (server, source) = await DatabaseAsync("redact_null_keys", """
            CREATE TABLE accounts (id int PRIMARY KEY, api_key text UNIQUE);
            CREATE TABLE sessions (id int PRIMARY KEY, account_id int REFERENCES accounts);
            INSERT INTO accounts SELECT g, 'key-secret-' || g FROM generate_series(1, 3) g;
            INSERT INTO sessions SELECT g, 1 + g % 3 FROM generate_series(1, 6) g;
            """);
        var archive = await DumpAsync(source, "null_keys", ["public.accounts.api_key", "public.sessions.account_id"]);

        await ArchiveShouldNotContainAsync(archive, "key-secret-");
        var target = await server.CreateDatabaseAsync("redact_null_keys_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        report.Errors.Should().BeEmpty();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM accounts a, sessions s WHERE a.api_key IS NULL AND s.account_id IS NULL")).Should().Be(18);
    }

    [Fact]
    public async Task A_check_that_refuses_the_empty_string_gets_the_placeholder_and_one_that_refuses_every_neutral_value_is_refused()
    {
        var (server, source) = await DatabaseAsync("redact_checks", """
            CREATE TABLE otp (
                id int PRIMARY KEY,
                token_hash text NOT NULL CONSTRAINT otp_token_hash_check CHECK (char_length(token_hash) > 0),
                code text NOT NULL CONSTRAINT otp_code_digits CHECK (code ~ '^[0-9]{6}$'));
            INSERT INTO otp SELECT g, 'hash-secret-' || g, lpad((g * 7919)::text, 6, '0') FROM generate_series(1, 5) g;
            """);

        var refusal = await RefusedAsync(source, "public.otp.code");
        refusal.ConstraintName.Should().Be("otp_code_digits");
        refusal.Message.Should().Contain("'' breaks check constraint otp_code_digits").And.Contain("'redacted' breaks check constraint otp_code_digits")
            .And.Contain("public.otp.code=VALUE");

        var archive = await DumpAsync(source, "checks", ["public.otp.token_hash", "public.otp.code=000000"]);
        await ArchiveShouldNotContainAsync(archive, "hash-secret-");
        (await RedactedAsync(archive, "otp")).Should().Equal(new Dictionary<string, string> { ["token_hash"] = "'redacted'", ["code"] = "'000000'" });
        var target = await server.CreateDatabaseAsync("redact_checks_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        report.Errors.Should().BeEmpty();
        (await Db.ColumnAsync(target, "SELECT DISTINCT token_hash || '/' || code FROM otp")).Should().Equal("redacted/000000");
    }

    [Theory]
    [InlineData("public.cards.pin=abc", "'abc' is not a valid public.pin_code (invalid input syntax for type integer")]
    [InlineData("public.cards.pin=-1", "'-1' is not a valid public.pin_code (value for domain public.pin_code violates check constraint")]
    [InlineData("public.cards.holder=", "'' breaks check constraint cards_holder_check")]
    [InlineData("public.cards.kind", "the column is NOT NULL and its type public.card_kind has no neutral value")]
    [InlineData("other.cards.pin", "the database has no table other.cards")]
    [InlineData("public.cards.nosuch", "no such (non-generated) column")]
    public async Task A_given_value_of_the_wrong_type_or_a_rule_without_a_fitting_value_is_refused_up_front(string rule, string reason)
    {
        var (_, source) = await DatabaseAsync("redact_values", """
            CREATE DOMAIN pin_code AS int CHECK (VALUE BETWEEN 0 AND 9999);
            CREATE TYPE card_kind AS ENUM ('debit', 'credit');
            CREATE TABLE cards (id int PRIMARY KEY, pin pin_code NOT NULL, holder text NOT NULL CHECK (holder <> ''), kind card_kind NOT NULL);
            INSERT INTO cards VALUES (1, 1234, 'Ada', 'debit'), (2, 4321, 'Grace', 'credit');
            """);
        var refusal = await RefusedAsync(source, rule);

        refusal.Message.Should().Contain(reason);
    }

    /// <summary>
    /// Supabase's auth tables as the platform creates them (GoTrue's migrations, supabase_auth_admin's), beyond the shim:
    /// one_time_tokens with its CHECK on token_hash and unique (user_id, token_type), MFA factors and challenges,
    /// flow_state, the sessions' HMAC key, and the partial unique indexes on the users' token columns.
    /// </summary>
    private const string PlatformAuthTables = """
        SET ROLE supabase_auth_admin;
        CREATE TYPE auth.one_time_token_type AS ENUM ('confirmation_token', 'reauthentication_token', 'recovery_token',
            'email_change_token_new', 'email_change_token_current', 'phone_change_token');
        CREATE TABLE auth.one_time_tokens (
            id uuid NOT NULL,
            user_id uuid NOT NULL,
            token_type auth.one_time_token_type NOT NULL,
            token_hash text NOT NULL,
            relates_to text NOT NULL,
            created_at timestamp without time zone DEFAULT now() NOT NULL,
            updated_at timestamp without time zone DEFAULT now() NOT NULL,
            CONSTRAINT one_time_tokens_pkey PRIMARY KEY (id),
            CONSTRAINT one_time_tokens_token_hash_check CHECK (char_length(token_hash) > 0),
            CONSTRAINT one_time_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE);
        CREATE INDEX one_time_tokens_token_hash_hash_idx ON auth.one_time_tokens USING hash (token_hash);
        CREATE INDEX one_time_tokens_relates_to_hash_idx ON auth.one_time_tokens USING hash (relates_to);
        CREATE UNIQUE INDEX one_time_tokens_user_id_token_type_key ON auth.one_time_tokens (user_id, token_type);
        CREATE TYPE auth.factor_type AS ENUM ('totp', 'webauthn', 'phone');
        CREATE TYPE auth.factor_status AS ENUM ('unverified', 'verified');
        CREATE TABLE auth.mfa_factors (
            id uuid NOT NULL,
            user_id uuid NOT NULL,
            friendly_name text,
            factor_type auth.factor_type NOT NULL,
            status auth.factor_status NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            secret text,
            phone text,
            last_challenged_at timestamptz,
            CONSTRAINT mfa_factors_pkey PRIMARY KEY (id),
            CONSTRAINT mfa_factors_last_challenged_at_key UNIQUE (last_challenged_at),
            CONSTRAINT mfa_factors_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE);
        CREATE UNIQUE INDEX mfa_factors_user_friendly_name_unique ON auth.mfa_factors (friendly_name, user_id) WHERE TRIM(BOTH FROM friendly_name) <> '';
        CREATE TABLE auth.mfa_challenges (
            id uuid NOT NULL,
            factor_id uuid NOT NULL,
            created_at timestamptz NOT NULL,
            verified_at timestamptz,
            ip_address inet NOT NULL,
            otp_code text,
            CONSTRAINT mfa_challenges_pkey PRIMARY KEY (id),
            CONSTRAINT mfa_challenges_auth_factor_id_fkey FOREIGN KEY (factor_id) REFERENCES auth.mfa_factors (id) ON DELETE CASCADE);
        CREATE TYPE auth.code_challenge_method AS ENUM ('s256', 'plain');
        CREATE TABLE auth.flow_state (
            id uuid NOT NULL,
            user_id uuid,
            auth_code text,
            code_challenge_method auth.code_challenge_method,
            code_challenge text,
            provider_type text NOT NULL,
            provider_access_token text,
            provider_refresh_token text,
            created_at timestamptz,
            updated_at timestamptz,
            authentication_method text NOT NULL,
            auth_code_issued_at timestamptz,
            CONSTRAINT flow_state_pkey PRIMARY KEY (id));
        CREATE INDEX idx_auth_code ON auth.flow_state (auth_code);
        ALTER TABLE auth.sessions ADD COLUMN refresh_token_hmac_key text, ADD COLUMN refresh_token_counter bigint;
        CREATE UNIQUE INDEX confirmation_token_idx ON auth.users (confirmation_token) WHERE confirmation_token::text !~ '^[0-9 ]*$';
        CREATE UNIQUE INDEX recovery_token_idx ON auth.users (recovery_token) WHERE recovery_token::text !~ '^[0-9 ]*$';
        CREATE UNIQUE INDEX email_change_token_current_idx ON auth.users (email_change_token_current) WHERE email_change_token_current::text !~ '^[0-9 ]*$';
        CREATE UNIQUE INDEX email_change_token_new_idx ON auth.users (email_change_token_new) WHERE email_change_token_new::text !~ '^[0-9 ]*$';
        CREATE UNIQUE INDEX reauthentication_token_idx ON auth.users (reauthentication_token) WHERE reauthentication_token::text !~ '^[0-9 ]*$';
        RESET ROLE;
        """;

    /// <summary>Two users with every kind of secret GoTrue keeps, each value marked so a byte search finds it.</summary>
    private const string AuthRows = """
        INSERT INTO auth.users (id, aud, role, email, encrypted_password, confirmation_token, recovery_token, email_change_token_new,
                                email_change_token_current, phone_change_token, reauthentication_token, email_confirmed_at)
        VALUES ('00000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'ada@example.test', '$2a$10$pwsecret-ada',
                'confsecret-ada', 'recoverysecret-ada', 'ectnewsecret-ada', 'ectcursecret-ada', 'phonesecret-ada', 'reauthsecret-ada', now()),
               ('00000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'grace@example.test', '$2a$10$pwsecret-grace',
                '', '', '', '', '', '', now());
        INSERT INTO auth.identities (provider_id, user_id, identity_data, provider)
        SELECT id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'oauthsecret', 'idsecret-' || email), 'email' FROM auth.users;
        INSERT INTO auth.sessions (id, user_id, refresh_token_hmac_key)
        SELECT ('10000000-0000-4000-8000-00000000000' || right(id::text, 1))::uuid, id, 'hmacsecret-' || email FROM auth.users;
        INSERT INTO auth.refresh_tokens (token, user_id, revoked, parent, session_id)
        SELECT 'rtsecret-' || u.email || '-' || g, u.id::text, g = 1, CASE WHEN g = 2 THEN 'rtsecret-' || u.email || '-1' END, s.id
        FROM auth.users u JOIN auth.sessions s ON s.user_id = u.id CROSS JOIN generate_series(1, 2) g;
        INSERT INTO auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to)
        SELECT gen_random_uuid(), id, t, 'otthashsecret-' || email || '-' || t, email
        FROM auth.users CROSS JOIN unnest(ARRAY['confirmation_token', 'recovery_token']::auth.one_time_token_type[]) t;
        INSERT INTO auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
        SELECT gen_random_uuid(), id, 'phone of ' || email, 'totp', 'verified', now(), now(), 'totpsecret-' || email FROM auth.users;
        INSERT INTO auth.mfa_challenges (id, factor_id, created_at, ip_address, otp_code)
        SELECT gen_random_uuid(), id, now(), '192.0.2.1', 'otpsecret-' || friendly_name FROM auth.mfa_factors;
        INSERT INTO auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, provider_access_token,
                                     provider_refresh_token, authentication_method)
        SELECT gen_random_uuid(), id, 'authcodesecret-' || email, 's256', 'challenge', 'github', 'patsecret-' || email, 'prtsecret-' || email, 'oauth'
        FROM auth.users;
        """;

    private static readonly string[] AuthSecrets =
    [
        "pwsecret-", "confsecret-", "recoverysecret-", "ectnewsecret-", "ectcursecret-", "phonesecret-", "reauthsecret-", "idsecret-",
        "hmacsecret-", "rtsecret-", "otthashsecret-", "totpsecret-", "otpsecret-", "authcodesecret-", "patsecret-", "prtsecret-",
    ];

    private static async Task<string> SupabaseProjectAsync(PostgresServer server, string prefix)
    {
        var project = await server.CreateDatabaseAsync(prefix);
        await FactoryPulseFixture.LoadFilesAsync(project, "supabase_shim.sql");
        await Db.ExecuteAsync(project, PlatformAuthTables);
        return project;
    }

    [Fact]
    public async Task Supabase_secrets_redacted_in_a_complete_dump_restore_into_an_empty_database_without_errors()
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await SupabaseProjectAsync(server, "redact_supa_complete");
        await Db.ExecuteAsync(source, AuthRows);
        var archive = await DumpAsync(source, "complete", [], supabaseSecrets: true);

        await ArchiveShouldNotContainAsync(archive, AuthSecrets);
        var target = await server.CreateDatabaseAsync("redact_supa_complete_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        (await RedactedAsync(archive, "one_time_tokens")).Should().Equal(new Dictionary<string, string> { ["token_hash"] = "'redacted'" });
        (await RedactedAsync(archive, "identities")).Should().Equal(new Dictionary<string, string> { ["identity_data"] = "'{}'" });
        report.Errors.Should().BeEmpty();
        // token_hash is NOT NULL and CHECKed non-empty: the placeholder, which is no hash any token could have.
        (await Db.ColumnAsync(target, "SELECT DISTINCT token_hash FROM auth.one_time_tokens")).Should().Equal("redacted");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.one_time_tokens")).Should().Be(4);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.refresh_tokens WHERE token IS NULL AND parent IS NULL")).Should().Be(4);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.mfa_factors WHERE secret IS NULL")).Should().Be(2);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.flow_state WHERE auth_code IS NULL AND provider_access_token IS NULL AND provider_refresh_token IS NULL")).Should().Be(2);
        await UsersShouldBeRedactedAsync(target);
    }

    [Fact]
    public async Task Supabase_secrets_redacted_with_the_profile_restore_into_a_fresh_project_without_errors()
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await SupabaseProjectAsync(server, "redact_supa_profile");
        await Db.ExecuteAsync(source, AuthRows);
        var archive = await DumpAsync(source, "profile", [], supabaseSecrets: true, profile: DumpProfile.Supabase);

        await ArchiveShouldNotContainAsync(archive, AuthSecrets);
        var target = await SupabaseProjectAsync(server, "redact_supa_profile_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        report.Errors.Should().BeEmpty();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.identities i JOIN auth.users u ON u.id = i.user_id")).Should().Be(2);
        await UsersShouldBeRedactedAsync(target);
    }

    /// <summary>
    /// GoTrue reads the token columns into plain strings and writes '' for "no token": a NULL there makes the user's
    /// sign-in fail, so they must be ''. The password hash may be NULL (no password sign-in); identity_data is NOT NULL.
    /// </summary>
    private static async Task UsersShouldBeRedactedAsync(string target)
    {
        (await Db.ColumnAsync(target, """
            SELECT DISTINCT concat_ws('|', encrypted_password IS NULL, confirmation_token, recovery_token, email_change_token_new,
                                      email_change_token_current, phone_change_token, reauthentication_token, confirmation_token IS NULL)
            FROM auth.users
            """)).Should().Equal("t|||||||f");
        (await Db.ColumnAsync(target, "SELECT DISTINCT identity_data::text FROM auth.identities")).Should().Equal("{}");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.users")).Should().Be(2);
    }
}

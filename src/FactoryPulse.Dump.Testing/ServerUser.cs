namespace FactoryPulse.Dump.Testing;

/// <summary>
/// Who runs initdb/pg_ctl. PostgreSQL refuses to run as root, so a root test process hands the cluster to the unprivileged
/// user <c>postgres</c> (or <c>nobody</c>) and runs the tools through <c>runuser</c> (or <c>su</c>).
/// </summary>
internal sealed class ServerUser
{
    private static readonly Lazy<ServerUser> CurrentUser = new(Detect, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string? runuser;
    private readonly string? su;

    private ServerUser(string? userName, string? runuser, string? su)
    {
        UserName = userName;
        this.runuser = runuser;
        this.su = su;
    }

    /// <summary>The identity to use for this process.</summary>
    public static ServerUser Current => CurrentUser.Value;

    /// <summary>The unprivileged user to switch to, or <see langword="null"/> when the tools run as the current user.</summary>
    public string? UserName { get; }

    /// <summary>Turns a command into the one to start, wrapped in runuser/su when switching users.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) Wrap(string fileName, IReadOnlyList<string> arguments)
    {
        if (UserName is null)
        {
            return (fileName, arguments);
        }

        if (runuser is not null)
        {
            return (runuser, ["-u", UserName, "--", fileName, .. arguments]);
        }

        // su only takes a shell command line, so quote every word for /bin/sh.
        var commandLine = string.Join(' ', new[] { fileName }.Concat(arguments).Select(ShellQuote));
        return (su!, [UserName, "-s", "/bin/sh", "-c", commandLine]);
    }

    /// <summary>Runs a tool as the server user.</summary>
    public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (file, args) = Wrap(fileName, arguments);
        return ProcessRunner.RunAsync(file, args, workingDirectory, timeout, cancellationToken);
    }

    /// <summary>Blocking variant of <see cref="RunAsync"/>.</summary>
    public ProcessResult Run(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var (file, args) = Wrap(fileName, arguments);
        return ProcessRunner.Run(file, args, workingDirectory, timeout);
    }

    /// <summary>Makes a fresh directory owned by the server user (a no-op when no switch is needed).</summary>
    public async Task HandOverAsync(string directory, CancellationToken cancellationToken)
    {
        if (UserName is null)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync("chown", ["-R", UserName, directory], null, TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not hand {directory} to user {UserName}: {result.Output}");
        }
    }

    /// <summary>Quotes a word for a POSIX shell (also used for pg_ctl's <c>-o</c> option string, which pg_ctl passes through /bin/sh).</summary>
    public static string ShellQuote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or '=' or ',' or '+'))
        {
            return word;
        }

        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static ServerUser Detect()
    {
        if (OperatingSystem.IsWindows() || !IsRoot())
        {
            return new ServerUser(null, null, null);
        }

        var user = UserExists("postgres") ? "postgres" : "nobody";
        var runuser = ProcessRunner.FindExecutable("runuser", "/usr/sbin", "/sbin", "/usr/bin", "/bin");
        var su = runuser is null ? ProcessRunner.FindExecutable("su", "/bin", "/usr/bin") : null;
        if (runuser is null && su is null)
        {
            throw new InvalidOperationException(
                "The tests run as root, but PostgreSQL refuses to run as root and neither runuser nor su was found to switch to user " + user + ".");
        }

        return new ServerUser(user, runuser, su);
    }

    private static bool IsRoot()
    {
        if (string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            return true;
        }

        // The user name can lie (e.g. a renamed uid 0), so ask for the effective uid.
        var result = ProcessRunner.Run("id", ["-u"], null, TimeSpan.FromSeconds(10));
        return result.Succeeded && result.StandardOutput.Trim() == "0";
    }

    private static bool UserExists(string name) =>
        ProcessRunner.Run("id", ["-u", name], null, TimeSpan.FromSeconds(10)).Succeeded;
}

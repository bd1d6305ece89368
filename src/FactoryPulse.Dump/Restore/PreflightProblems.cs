namespace FactoryPulse.Dump.Restore;

/// <summary>Which preflight check found a problem: it alone decides the exception type, never the message's wording.</summary>
internal enum PreflightCheck
{
    ServerVersion,
    Extensions,
    Roles,
    TargetContents,

    /// <summary>Entries only a superuser can restore (CREATE EVENT TRIGGER), and the connected role is none.</summary>
    SuperuserOnly,

    /// <summary>--clean would drop triggers or policies of tables the connected role does not own.</summary>
    Ownership,
    /// <summary>A privilege the restoring role lacks (data-only restores: see <see cref="PreflightProblems.AddPrivilege"/>).</summary>
    Privileges,
}

/// <summary>Every problem a restore can know before its first change, collected and then reported together.</summary>
internal sealed class PreflightProblems
{
    private readonly List<(PreflightCheck Check, string Message)> _problems = [];

    // The objects named by privilege problems, for InsufficientPrivilegeException.ObjectName when there is only one.
    private readonly List<string> _privilegeObjects = [];

    public int ArchiveServerVersion { get; init; }

    public int TargetServerVersion { get; init; }

    public void Add(PreflightCheck check, string message) => _problems.Add((check, message));

    /// <summary>The restoring role, named in a report of missing privileges ("Cannot restore as role x: …").</summary>
    public string? Role { get; init; }

    /// <summary>A privilege the role lacks: <paramref name="message"/> names <paramref name="objectName"/>, what is missing and why.</summary>
    public void AddPrivilege(string objectName, string message)
    {
        _problems.Add((PreflightCheck.Privileges, message));
        if (!_privilegeObjects.Contains(objectName))
            _privilegeObjects.Add(objectName);
    }

    /// <summary>Only missing privileges (also superuser-only entries, drops only an owner may run): one <see cref="InsufficientPrivilegeException"/> listing them all, each also in its Problems.</summary>
    private InsufficientPrivilegeException? PrivilegesException()
    {
        var messages = new List<string>(_problems.Count);
        foreach (var (check, message) in _problems)
        {
            if (check is not (PreflightCheck.Privileges or PreflightCheck.SuperuserOnly or PreflightCheck.Ownership))
                return null;
            messages.Add(message);
        }
        var role = Role is null ? "" : $" as role {Role}";
        return new InsufficientPrivilegeException($"Cannot restore{role}: {string.Join("; ", messages)}. Nothing was changed.")
        {
            Problems = messages,
            ObjectName = _privilegeObjects.Count == 1 ? _privilegeObjects[0] : null,
        };
    }

    /// <summary>
    /// Null when nothing was found. One problem gets the type of its check: an older target →
    /// <see cref="ServerVersionException"/>, objects in the way → <see cref="TargetNotEmptyException"/>, superuser-only
    /// entries for a role that is none, or drops only a table's owner may run → <see cref="InsufficientPrivilegeException"/>; several
    /// problems are listed together in one <see cref="DumpException"/> (a <see cref="ServerVersionException"/> when one is the version).
    /// </summary>
    public DumpException? ToException()
    {
        if (_problems.Count == 0)
            return null;
        if (PrivilegesException() is { } privileges)
            return privileges;
        if (_problems.Count > 1)
        {
            var messages = new List<string>(_problems.Count);
            var version = false;
            foreach (var (check, message) in _problems)
            {
                messages.Add(message);
                version |= check == PreflightCheck.ServerVersion;
            }
            // An older server is the problem that decides; the others are listed with it.
            var all = "Cannot restore: " + string.Join("; ", messages) + ". Nothing was changed.";
            return version ? new ServerVersionException(all, ArchiveServerVersion / 10000, TargetServerVersion / 10000) : new DumpException(all);
        }
        var (onlyCheck, only) = _problems[0];
        return onlyCheck switch
        {
            PreflightCheck.ServerVersion => new ServerVersionException("Cannot restore: " + only + ". Nothing was changed.", ArchiveServerVersion / 10000, TargetServerVersion / 10000),
            PreflightCheck.TargetContents => new TargetNotEmptyException("Cannot restore: " + only + "."),
            PreflightCheck.SuperuserOnly or PreflightCheck.Ownership => new InsufficientPrivilegeException("Cannot restore: " + only + ". Nothing was changed."),
            _ => new DumpException("Cannot restore: " + only + ". Nothing was changed."),
        };
    }
}

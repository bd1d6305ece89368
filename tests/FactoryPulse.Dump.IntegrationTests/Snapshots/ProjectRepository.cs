using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Snapshots;

/// <summary>A tiny slice of a Factory Pulse data layer: what a user's application code under test might look like.</summary>
public sealed class ProjectRepository(string connectionString)
{
    public sealed record ProjectSummary(Guid Id, string Code, string Title, string Status, int OpenApprovals, int Messages);

    public async Task<IReadOnlyList<ProjectSummary>> ListByOrganizationAsync(Guid organizationId)
    {
        const string sql = """
            SELECT p.id, p.project_code, p.title, p.status::text,
                   (SELECT count(*) FROM public.approvals a WHERE a.project_id = p.id AND a.status = 'pending')::int,
                   (SELECT count(*) FROM public.messages m WHERE m.project_id = p.id)::int
            FROM public.projects p WHERE p.organization_id = $1 ORDER BY p.project_code
            """;
        var result = new List<ProjectSummary>();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = organizationId } } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(new ProjectSummary(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt32(5)));
        return result;
    }

    /// <summary>Creates a draft project; its code comes from public.project_code_seq, and the audit trigger logs it.</summary>
    public async Task<(Guid Id, string Code)> CreateProjectAsync(Guid organizationId, string title, Guid createdBy)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO public.projects (organization_id, title, created_by) VALUES ($1, $2, $3) RETURNING id, project_code", connection)
        {
            Parameters = { new() { Value = organizationId }, new() { Value = title }, new() { Value = createdBy } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetGuid(0), reader.GetString(1));
    }

    /// <summary>Deletes a project: approvals, messages, documents, … cascade; projects ↔ approvals is a foreign-key cycle.</summary>
    public Task<int> DeleteProjectAsync(Guid projectId) => ExecuteAsync("DELETE FROM public.projects WHERE id = $1", projectId);

    /// <summary>Moves a project to another stage (the stage-change trigger notifies the assignee, the audit trigger logs it).</summary>
    public Task<int> MoveToStageAsync(Guid projectId, Guid stageId) =>
        ExecuteAsync("UPDATE public.projects SET current_stage_id = $2, stage_entered_at = now() WHERE id = $1", projectId, stageId);

    /// <summary>Approves a pending approval (audit trigger: status_change).</summary>
    public Task<int> ApproveAsync(Guid approvalId, string comment) =>
        ExecuteAsync("UPDATE public.approvals SET status = 'approved', decided_at = now(), decision_comment = $2 WHERE id = $1 AND status = 'pending'", approvalId, comment);

    /// <summary>Posts a message (the recipient trigger adds a notification); <paramref name="parentId"/> threads it.</summary>
    public async Task<Guid> PostMessageAsync(Guid projectId, Guid senderId, Guid? recipientId, string body, Guid? parentId = null)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO public.messages (organization_id, project_id, sender_id, recipient_id, body, parent_message_id, reply_to_message_id)
            SELECT p.organization_id, p.id, $2, $3, $4, $5, $5 FROM public.projects p WHERE p.id = $1 RETURNING id
            """, connection)
        {
            Parameters =
            {
                new() { Value = projectId }, new() { Value = senderId },
                new() { Value = (object?)recipientId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid },
                new() { Value = body },
                new() { Value = (object?)parentId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid },
            },
        };
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    public Task<int> DeleteMessageAsync(Guid messageId) => ExecuteAsync("DELETE FROM public.messages WHERE id = $1", messageId);

    public async Task<long> CountAsync(string table, string where = "true")
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {where}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<int> ExecuteAsync(string sql, params object[] values)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}

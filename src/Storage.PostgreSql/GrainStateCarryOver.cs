using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Storage;

namespace TaskFlow.Storage;

/// <summary>The upgrade step on PostgreSQL. Before the <c>taskflow</c> grain storage moved to Orleans' ADO.NET storage,
/// it kept the states of schedules, the schedule directory, idempotency keys and the audit log in
/// <c>taskflow.grain_state</c>. Once the ADO.NET storage is ready, and before the silo takes calls, every row still
/// there is written to it as a new record and then deleted: a schedule keeps its last occurrence, a key its task. A
/// state the ADO.NET storage already holds (written, or cleared, since) wins and the old row just goes; a row that is
/// not JSON stays and is logged. Silos starting together may each carry a row: the second create loses its race.</summary>
internal sealed class GrainStateCarryOver(NpgsqlDataSource dataSource, IGrainStorage storage, ILogger<GrainStateCarryOver> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Right after the ADO.NET storage has started, long before the silo becomes active.</summary>
    public const int Stage = PostgresGrainStorage.InitStage + 1;

    private const int PageSize = 500;
    private const int Parallelism = 8;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GrainStateCarryOver), Stage, async cancellationToken =>
        {
            var result = await RunAsync(cancellationToken);
            if (result.Carried + result.AlreadyStored + result.Unreadable > 0)
                Log.GrainStatesCarriedOver(logger, result.Carried, result.AlreadyStored, result.Unreadable);
        }, _ => Task.CompletedTask);

    /// <summary>Carries every row of <c>taskflow.grain_state</c> over; returns what became of them.</summary>
    /// <exception cref="TaskStoreUnavailableException">The database cannot be reached.</exception>
    public async Task<CarryOverResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = new CarryOverResult(0, 0, 0);
        (string GrainType, string Key)? after = null;
        while (true)
        {
            var page = await ReadPageAsync(dataSource, after, cancellationToken);
            if (page.Count == 0) return result;

            var done = new ConcurrentBag<(OldRow Row, Outcome Outcome)>();
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (row, _) => done.Add((row, await CarryAsync(row))));
            await DeleteAsync(dataSource, [.. done.Where(d => d.Outcome != Outcome.Unreadable).Select(d => d.Row)], cancellationToken);

            result = new CarryOverResult(
                result.Carried + done.Count(d => d.Outcome == Outcome.Carried),
                result.AlreadyStored + done.Count(d => d.Outcome == Outcome.AlreadyStored),
                result.Unreadable + done.Count(d => d.Outcome == Outcome.Unreadable));
            after = (page[^1].GrainType, page[^1].Key);
        }
    }

    private async Task<Outcome> CarryAsync(OldRow row)
    {
        // TaskFlowGrainStorage keyed a state by "{grain type}/{state name}" and the grain key's text.
        var slash = row.GrainType.LastIndexOf('/');
        JsonElement state;
        try
        {
            if (slash <= 0 || slash == row.GrainType.Length - 1) throw new FormatException($"'{row.GrainType}' is not 'grain type/state name'.");
            state = JsonSerializer.Deserialize<JsonElement>(row.State);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            Log.GrainStateNotCarried(logger, row.GrainType, row.Key, ex);
            return Outcome.Unreadable;
        }

        // The payload is the stored JSON as it is: the serializer writes a JsonElement unchanged, and the grain reads it
        // as its state type exactly as it read the old row.
        var grainId = GrainId.Create(row.GrainType[..slash], row.Key);
        try
        {
            await storage.WriteStateAsync(row.GrainType[(slash + 1)..], grainId, new GrainState<JsonElement>(state));
            return Outcome.Carried;
        }
        catch (InconsistentStateException)
        {
            return Outcome.AlreadyStored;
        }
    }

    private static async Task<List<OldRow>> ReadPageAsync(NpgsqlDataSource dataSource, (string GrainType, string Key)? after, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresConnections.OpenAsync(dataSource, cancellationToken);
        await using var command = new NpgsqlCommand(after is null
            ? "SELECT grain_type, grain_key, etag, state FROM taskflow.grain_state ORDER BY grain_type, grain_key LIMIT $1"
            : "SELECT grain_type, grain_key, etag, state FROM taskflow.grain_state WHERE (grain_type, grain_key) > ($2, $3) ORDER BY grain_type, grain_key LIMIT $1",
            connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PageSize });
        if (after is { } last)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = last.GrainType });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = last.Key });
        }
        var rows = new List<OldRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new OldRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        return rows;
    }

    /// <summary>Deletes the rows as they were read: one written again since (only an older silo could) stays.</summary>
    private static async Task DeleteAsync(NpgsqlDataSource dataSource, IReadOnlyList<OldRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        await using var connection = await PostgresConnections.OpenAsync(dataSource, cancellationToken);
        await using var command = new NpgsqlCommand("""
            DELETE FROM taskflow.grain_state g
            USING unnest($1::text[], $2::text[], $3::bigint[]) AS d(grain_type, grain_key, etag)
            WHERE g.grain_type = d.grain_type AND g.grain_key = d.grain_key AND g.etag = d.etag
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.GrainType)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Key)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.ETag)] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record OldRow(string GrainType, string Key, long ETag, string State);

    private enum Outcome { Carried, AlreadyStored, Unreadable }
}

/// <summary>What the carry-over did with the rows of <c>taskflow.grain_state</c>: written to the ADO.NET storage,
/// dropped because it already held that state, or left in place because they could not be read.</summary>
internal sealed record CarryOverResult(int Carried, int AlreadyStored, int Unreadable);

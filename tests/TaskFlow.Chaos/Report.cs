using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace TaskFlow.Chaos;

/// <summary>The figures of a chaos run, from evidence only: the load's own log of requests, the task records read back
/// through <c>GET /tasks/{id}</c>, the handlers' rows in <c>chaos.runs</c>, the silos' logs (which silo fired a schedule)
/// and the membership table. Waits (bounded) until every accepted task is terminal, prints
/// <c>chaos: name=value</c> lines and <c>chaos: PASS</c> or <c>chaos: FAIL …</c>; exits 0 only on PASS.</summary>
internal static partial class Report
{
    private static readonly string[] Terminal = ["success", "failed", "interrupted", "cancelled"];

    public static async Task<int> RunAsync(Arguments args)
    {
        var dir = args["dir"];
        var api = new Uri(args["api"]);
        var connectionString = args["cs"];
        var terminalTimeout = TimeSpan.FromSeconds(args.Double("terminal-timeout"));

        // == the load: what was accepted, what was refused, how long the enqueues took
        var load = File.ReadAllLines(Path.Combine(dir, "load.tsv")).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToList();
        var window = File.ReadAllText(Path.Combine(dir, "load.tsv.window")).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(v, CultureInfo.InvariantCulture))).ToArray();
        var loadIds = new List<Guid>();
        int enqueue5xx = 0, enqueueErrors = 0;
        double latencyMax = 0;
        var errorSamples = new List<string>();
        foreach (var f in load)
        {
            var code = int.Parse(f[3], CultureInfo.InvariantCulture);
            latencyMax = Math.Max(latencyMax, double.Parse(f[2], CultureInfo.InvariantCulture));
            if (code is >= 200 and < 300 && Guid.TryParse(f[4], out var id)) loadIds.Add(id);
            else
            {
                enqueueErrors++;
                if (code >= 500) enqueue5xx++;
                if (errorSamples.Count < 5) errorSamples.Add($"{code} {f[4]}");
            }
        }
        var rollingIds = ReadIds(Path.Combine(dir, "rolling.ids"));
        var rollingRefused = File.Exists(Path.Combine(dir, "rolling.refused")) ? File.ReadAllLines(Path.Combine(dir, "rolling.refused")).Length : 0;
        enqueueErrors += rollingRefused;
        var accepted = loadIds.Concat(rollingIds).Distinct().ToList();
        var events = ReadEvents(Path.Combine(dir, "events.tsv"));
        var faultsEnd = events.LastOrDefault(e => e.Kind == "faults_end")?.At ?? window[1];
        var quietSince = faultsEnd > window[1] ? faultsEnd : window[1];

        // == wait until every accepted task is terminal (the store, read directly: cheap to poll)
        await using var db = NpgsqlDataSource.Create(connectionString);
        var deadline = Stopwatch.StartNew();
        long terminalCount = 0;
        while (true)
        {
            await using (var command = db.CreateCommand("SELECT count(*) FROM taskflow.tasks WHERE task_id = ANY($1) AND status = ANY($2)"))
            {
                command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. accepted] });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = Terminal });
                terminalCount = (long)(await command.ExecuteScalarAsync())!;
            }
            if (terminalCount == accepted.Count || deadline.Elapsed > terminalTimeout) break;
            await Task.Delay(500);
        }
        var allTerminal = terminalCount == accepted.Count;
        var timeToTerminal = (DateTimeOffset.UtcNow - quietSince).TotalSeconds;

        // == every accepted task's record, through the API
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };
        var records = new Dictionary<Guid, TaskRead>();
        using (var gate = new SemaphoreSlim(16))
        {
            var reads = accepted.Select(async id =>
            {
                await gate.WaitAsync();
                try
                {
                    var read = await ReadTaskAsync(http, id);
                    lock (records) records[id] = read;
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(reads);
        }
        var lost = records.Where(r => r.Value.Status is null || !Terminal.Contains(r.Value.Status)).Select(r => r.Key).ToHashSet();
        var hosts = records.Values.SelectMany(r => r.Hosts).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var statusCounts = records.Values.GroupBy(r => r.Status ?? "missing").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}:{g.Count()}");

        // == the handlers' evidence
        var runsPerTask = new Dictionary<Guid, (int Started, int Completed)>();
        var fires = new List<Fire>();
        await using (var command = db.CreateCommand(
            "SELECT task_id, schedule, occurrence, started_at, ended_at IS NOT NULL FROM chaos.runs ORDER BY started_at"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var id = reader.GetGuid(0);
                var completed = reader.GetBoolean(4);
                runsPerTask.TryGetValue(id, out var counts);
                runsPerTask[id] = (counts.Started + 1, counts.Completed + (completed ? 1 : 0));
                if (!reader.IsDBNull(1))
                    fires.Add(new Fire(reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2), id,
                        new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero)));
            }
        }
        var successesRunTwice = runsPerTask.Count(r => r.Value.Completed > 1);
        // A task completed twice is one of two kinds. TaskFlow starts attempt n + 1 only while attempt n's success is not
        // stored, so an earlier completion under a lower attempt number, on a silo killed (or cut off) within 2 s of its
        // end, is a success lost with its silo before it was written: delivery is at least once. Anything else — the
        // same attempt completed twice, or no fault to explain it — is a duplicate, and fails the run.
        var faultsForReruns = FaultIntervals(events);
        var lostOutcomeReruns = 0;
        var twiceIds = runsPerTask.Where(r => r.Value.Completed > 1).Select(r => r.Key).ToArray();
        if (twiceIds.Length > 0)
        {
            var completions = new Dictionary<Guid, List<(int Attempt, string Host, DateTimeOffset Ended)>>();
            await using (var command = db.CreateCommand(
                "SELECT task_id, attempt, host, ended_at FROM chaos.runs WHERE task_id = ANY($1) AND ended_at IS NOT NULL ORDER BY ended_at"))
            {
                command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = twiceIds });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var id = reader.GetGuid(0);
                    if (!completions.TryGetValue(id, out var list)) completions[id] = list = [];
                    list.Add((reader.GetInt32(1), reader.GetString(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero)));
                }
            }
            foreach (var list in completions.Values)
            {
                var explained = list.Select(c => c.Attempt).Distinct().Count() == list.Count
                    && list.Take(list.Count - 1).All(c => faultsForReruns.Any(f =>
                        f.Silo == SiloOf(c.Host) && f.From >= c.Ended - TimeSpan.FromSeconds(1) && f.From <= c.Ended + TimeSpan.FromSeconds(2)));
                if (explained) lostOutcomeReruns++;
            }
        }
        var duplicateRuns = successesRunTwice - lostOutcomeReruns;
        var twiceNotes = new List<string>();
        var twice = runsPerTask.Where(r => r.Value.Completed > 1).Select(r => r.Key).Take(5).ToArray();
        if (twice.Length > 0)
        {
            await using var command = db.CreateCommand(
                "SELECT task_id, string_agg(format('attempt %s on %s %s-%s', attempt, host, to_char(started_at, 'HH24:MI:SS.MS'), " +
                "coalesce(to_char(ended_at, 'HH24:MI:SS.MS'), 'unfinished')), '; ' ORDER BY started_at) FROM chaos.runs WHERE task_id = ANY($1) GROUP BY task_id");
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = twice });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) twiceNotes.Add($"{reader.GetGuid(0)}: {reader.GetString(1)}");
        }
        // A fire is a task; the same schedule and occurrence under two task ids is a duplicate occurrence.
        var duplicateOccurrences = fires.GroupBy(f => (f.Schedule, f.Occurrence))
            .Count(g => g.Select(f => f.TaskId).Distinct().Count() > 1);
        // The store too: a fire whose task never ran still counts.
        await using (var command = db.CreateCommand(
            "SELECT count(*) FROM (SELECT schedule_name, state::jsonb #>> '{tags,occurrence}' AS occurrence FROM taskflow.tasks " +
            "WHERE schedule_name IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1 AND state::jsonb #>> '{tags,occurrence}' IS NOT NULL) d"))
        {
            try
            {
                var stored = (long)(await command.ExecuteScalarAsync())!;
                duplicateOccurrences = Math.Max(duplicateOccurrences, (int)stored);
            }
            catch (PostgresException ex)
            {
                Console.WriteLine($"chaos: note: the store's duplicate check failed ({ex.MessageText})");
            }
        }

        // == schedules: gaps between fires and missed occurrences, in the window the faults ran
        var scheduleSilo = ScheduleFiringSilos(Path.Combine(dir, "logs"));
        var faults = FaultIntervals(events);
        var from = window[0];
        var to = quietSince;
        // The schedule's own pause is measured at its fires (when each occurrence's task was created, from the store);
        // the gaps between the handlers' starts add the wait for a slot, which pauses for every task while the
        // dispatcher's silo is being declared dead and the dispatcher rebuilt on another (reported apart).
        var created = new Dictionary<Guid, (string Schedule, DateTimeOffset At)>();
        await using (var command = db.CreateCommand(
            "SELECT task_id, schedule_name, created_at FROM taskflow.tasks WHERE schedule_name LIKE 'chaos_every_%'"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                created[reader.GetGuid(0)] = (reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
        double longestGap = 0, longestSurviving = 0, longestFaulted = 0, longestStartGap = 0;
        var missedSeconds = 0;
        var gapNotes = new List<string>();
        var perSchedule = new List<string>();
        foreach (var schedule in Enumerable.Range(0, ChaosTasks.Schedules).Select(ChaosTasks.ScheduleName))
        {
            var fired = created.Where(c => c.Value.Schedule == schedule && c.Value.At >= from && c.Value.At <= to)
                .Select(c => ((Guid?)c.Key, c.Value.At)).OrderBy(f => f.At).ToList();
            var points = new List<(Guid? TaskId, DateTimeOffset At)> { (null, from) };
            points.AddRange(fired);
            points.Add((null, to));
            for (var i = 1; i < points.Count; i++)
            {
                var gap = (points[i].At - points[i - 1].At).TotalSeconds;
                longestGap = Math.Max(longestGap, gap);
                // Whose silo: the one that fired the occurrence before the gap (its log says so). Faulted when that
                // silo was killed, cut off or restarting during the gap; otherwise the schedule's silo survived.
                int? silo = points[i - 1].TaskId is { } before && scheduleSilo.TryGetValue(before, out var s) ? s : null;
                var faulted = silo is { } k && faults.Any(f => f.Silo == k && f.From <= points[i].At && f.To >= points[i - 1].At);
                if (faulted) longestFaulted = Math.Max(longestFaulted, gap);
                else longestSurviving = Math.Max(longestSurviving, gap);
                if (gap > 5) gapNotes.Add($"{schedule} {gap:F1}s from {points[i - 1].At:HH:mm:ss} (silo {(silo?.ToString(CultureInfo.InvariantCulture) ?? "?")}{(faulted ? ", faulted" : "")})");
            }
            var starts = fires.Where(f => f.Schedule == schedule).GroupBy(f => f.TaskId)
                .Select(g => g.Min(f => f.StartedAt)).Where(at => at >= from && at <= to).Order().ToList();
            starts.Insert(0, from);
            starts.Add(to);
            longestStartGap = Math.Max(longestStartGap, starts.Zip(starts.Skip(1), (a, b) => (b - a).TotalSeconds).Max());
            var occurrences = fires.Where(f => f.Schedule == schedule).Select(f => ParseOccurrence(f.Occurrence)).OfType<long>().ToHashSet();
            var missedHere = 0;
            for (var second = from.ToUnixTimeSeconds() + 2; second <= to.ToUnixTimeSeconds() - 2; second++)
                if (!occurrences.Contains(second)) missedHere++;
            missedSeconds += missedHere;
            var longestHere = points.Zip(points.Skip(1), (a, b) => (b.At - a.At).TotalSeconds).Max();
            perSchedule.Add(string.Create(CultureInfo.InvariantCulture, $"{schedule[^2..]} {missedHere}/{longestHere:F1}"));
        }

        // == rolling restart batches
        var rollingLost = rollingIds.Count(lost.Contains);
        var rollingInterrupted = rollingIds.Count(id =>
            (records.TryGetValue(id, out var r) && (r.Status == "interrupted" || r.Attempts > 1)) ||
            (runsPerTask.TryGetValue(id, out var runs) && runs.Started > 1));

        // How each rolling batch met its SIGTERM: of its tasks, how many ran on the silo being stopped (silo i is
        // <subnet>.(10 + i)), so a round with none there is visible as a weak one.
        var rollingNotes = new List<string>();
        await using (var command = db.CreateCommand(
            "SELECT batch, count(DISTINCT task_id), count(DISTINCT task_id) FILTER (WHERE split_part(split_part(host, ':', 1), '.', 4)::int - 10 = " +
            "substring(batch FROM 9)::int) FROM chaos.runs WHERE batch LIKE 'rolling-%' GROUP BY batch ORDER BY batch"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rollingNotes.Add($"{reader.GetString(0)}: {reader.GetInt64(1)} ran, {reader.GetInt64(2)} of them on the silo stopped");

        // == the membership table
        var addresses = new List<string>();
        await using (var command = db.CreateCommand("SELECT DISTINCT address FROM orleansmembershiptable ORDER BY 1"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) addresses.Add(reader.GetString(0));
        var nonLoopback = addresses.Count(a => !a.StartsWith("127.", StringComparison.Ordinal));

        var deadDeclared = events.Where(e => e.Kind == "dead").Select(e => e.Detail).ToList();
        var partitionDead = events.Where(e => e.Kind == "partition_dead").Select(e => e.Detail).ToList();

        // == print
        void Figure(string name, object value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chaos: {name}={value}"));
        Figure("tasks_accepted", accepted.Count);
        Figure("tasks_lost", lost.Count);
        Figure("successes_run_twice", successesRunTwice);
        Figure("successes_run_twice_after_a_lost_outcome", lostOutcomeReruns);
        Figure("duplicate_runs", duplicateRuns);
        Figure("duplicate_schedule_occurrences", duplicateOccurrences);
        Figure("missed_schedule_seconds", missedSeconds);
        Figure("longest_schedule_gap_s", longestGap.ToString("F1", CultureInfo.InvariantCulture));
        Figure("longest_schedule_gap_surviving_s", longestSurviving.ToString("F1", CultureInfo.InvariantCulture));
        Figure("longest_schedule_gap_faulted_s", longestFaulted.ToString("F1", CultureInfo.InvariantCulture));
        Figure("longest_schedule_start_gap_s", longestStartGap.ToString("F1", CultureInfo.InvariantCulture));
        Figure("enqueue_5xx", enqueue5xx);
        Figure("enqueue_errors", enqueueErrors);
        Figure("enqueue_latency_max_ms", latencyMax.ToString("F0", CultureInfo.InvariantCulture));
        Figure("time_to_all_terminal_s", allTerminal ? timeToTerminal.ToString("F1", CultureInfo.InvariantCulture) : $"timeout>{terminalTimeout.TotalSeconds:F0}");
        Figure("silo_dead_declared_s", deadDeclared.Count > 0 ? string.Join(',', deadDeclared) : "none");
        Figure("partition_dead_declared_s", partitionDead.Count > 0 ? string.Join(',', partitionDead) : "none");
        Figure("rolling_lost", rollingLost);
        Figure("rolling_interrupted", rollingInterrupted);
        Figure("distinct_silo_addresses", nonLoopback == addresses.Count ? addresses.Count : nonLoopback);
        Figure("hosts_that_ran_tasks", hosts.Count);
        Console.WriteLine($"chaos: detail: statuses {string.Join(' ', statusCounts)}; rolling batch {rollingIds.Count} tasks; silo addresses {string.Join(',', addresses)}; hosts {string.Join(',', hosts)}");
        foreach (var sample in errorSamples) Console.WriteLine($"chaos: detail: enqueue error: {sample}");
        foreach (var id in lost.Take(5)) Console.WriteLine($"chaos: detail: lost {id} ({(records[id].Status ?? "no record")})");
        foreach (var note in twiceNotes) Console.WriteLine($"chaos: detail: completed twice {note}");
        foreach (var note in rollingNotes) Console.WriteLine($"chaos: detail: rolling {note}");
        Console.WriteLine($"chaos: detail: per schedule (missed s/longest gap s) {string.Join(", ", perSchedule)}; window {from:HH:mm:ss}-{to:HH:mm:ss}");
        foreach (var note in gapNotes.Take(20)) Console.WriteLine($"chaos: detail: schedule gap {note}");

        var failed = new List<string>();
        if (lost.Count > 0) failed.Add("tasks_lost");
        if (duplicateRuns > 0) failed.Add("duplicate_runs");
        if (duplicateOccurrences > 0) failed.Add("duplicate_schedule_occurrences");
        if (!allTerminal) failed.Add("every_task_terminal");
        if (longestGap > 15) failed.Add("longest_schedule_gap_s");
        if (longestSurviving > 5) failed.Add("longest_schedule_gap_surviving_s");
        if (longestStartGap > 15) failed.Add("longest_schedule_start_gap_s");
        if (enqueue5xx > 0) failed.Add("enqueue_5xx");
        if (rollingLost > 0) failed.Add("rolling_lost");
        if (rollingInterrupted > 0) failed.Add("rolling_interrupted");
        if (addresses.Count != 3 || nonLoopback != 3) failed.Add("distinct_silo_addresses");
        if (hosts.Count < 2) failed.Add("hosts_that_ran_tasks");
        Console.WriteLine(failed.Count == 0 ? "chaos: PASS" : $"chaos: FAIL {string.Join(' ', failed)}");
        return failed.Count == 0 ? 0 : 1;
    }

    private static List<Guid> ReadIds(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Select(l => l.Trim()).Where(l => Guid.TryParse(l, out _)).Select(Guid.Parse)] : [];

    private static async Task<TaskRead> ReadTaskAsync(HttpClient http, Guid id)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync($"/tasks/{id:D}");
                if (response.StatusCode == HttpStatusCode.NotFound) return new TaskRead(null, 0, []);
                response.EnsureSuccessStatusCode();
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var attempts = json.RootElement.GetProperty("attempts");
                var hosts = attempts.EnumerateArray()
                    .Select(a => a.TryGetProperty("host", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()! : null)
                    .OfType<string>().ToList();
                return new TaskRead(json.RootElement.GetProperty("status").GetString(), attempts.GetArrayLength(), hosts);
            }
            catch (Exception ex) when (attempt < 5 && ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(1000);
            }
        }
    }

    private static long? ParseOccurrence(string occurrence) =>
        DateTimeOffset.TryParse(occurrence, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUnixTimeSeconds() : null;

    /// <summary>Task id → the silo (1, 2, 3) whose log says its schedule grain fired that task.</summary>
    private static Dictionary<Guid, int> ScheduleFiringSilos(string logs)
    {
        var map = new Dictionary<Guid, int>();
        if (!Directory.Exists(logs)) return map;
        foreach (var file in Directory.GetFiles(logs, "silo*.log"))
        {
            var name = Path.GetFileName(file);
            var silo = int.Parse(name.AsSpan(4, 1), CultureInfo.InvariantCulture);
            foreach (var line in File.ReadLines(file))
            {
                var match = FiredLine().Match(line);
                if (match.Success) map[Guid.Parse(match.Groups["id"].Value)] = silo;
                // A fire whose task creation never got its answer logs no "fired" line; Orleans' warning about the
                // unanswered call names the schedule grain's silo (the sender) and the task.
                foreach (Match call in ScheduleCall().Matches(line))
                    map.TryAdd(Guid.ParseExact(call.Groups["id"].Value, "N"), int.Parse(call.Groups["octet"].Value, CultureInfo.InvariantCulture) - 10);
            }
        }
        return map;
    }

    /// <summary>Per silo, the spans it was faulted: from a kill, a cut or a SIGTERM until it was active again.</summary>
    /// <summary>The silo number of an attempt's host: silo i is at &lt;subnet&gt;.(10 + i).</summary>
    private static int SiloOf(string host) =>
        int.Parse(host.Split(':')[0].Split('.')[^1], CultureInfo.InvariantCulture) - 10;

    private static List<(int Silo, DateTimeOffset From, DateTimeOffset To)> FaultIntervals(List<Event> events)
    {
        var spans = new List<(int, DateTimeOffset, DateTimeOffset)>();
        var open = new Dictionary<int, DateTimeOffset>();
        foreach (var e in events)
        {
            if (e.Kind is "kill" or "partition_start" or "term") open.TryAdd(e.Silo, e.At);
            else if (e.Kind == "active" && open.Remove(e.Silo, out var start)) spans.Add((e.Silo, start, e.At));
        }
        spans.AddRange(open.Select(o => (o.Key, o.Value, DateTimeOffset.MaxValue)));
        return spans;
    }

    private static List<Event> ReadEvents(string path) =>
        !File.Exists(path) ? [] : [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split('\t')).Select(f => new Event(
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(f[0], CultureInfo.InvariantCulture)), f[1],
            f.Length > 2 && int.TryParse(f[2], CultureInfo.InvariantCulture, out var s) ? s : 0, f.Length > 3 ? f[3] : ""))];

    [GeneratedRegex(@"Schedule chaos_every_1s_\d+ fired its occurrence .* as task (?<id>[0-9a-fA-F-]{36})")]
    private static partial Regex FiredLine();

    // Silo i advertises <subnet>.(10 + i).
    [GeneratedRegex(@"\[S\d+\.\d+\.\d+\.(?<octet>\d+):\d+:\d+ taskflow\.schedule/chaos_every_1s_\d+\]->\[\S+ taskflow\.task/(?<id>[0-9a-f]{32})\]")]
    private static partial Regex ScheduleCall();

    private sealed record TaskRead(string? Status, int Attempts, List<string> Hosts);

    private sealed record Fire(string Schedule, string Occurrence, Guid TaskId, DateTimeOffset StartedAt);

    private sealed record Event(DateTimeOffset At, string Kind, int Silo, string Detail);
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Deploy;

/// <summary><c>deploy/local-cluster.sh</c> as a new user runs it: <c>up</c> starts PostgreSQL, silos and a Client-mode
/// API as real processes, a task enqueued through the printed URL succeeds, <c>status</c> reports them, and <c>down</c>
/// leaves none of them running. The cluster's state folder is the test's own (<c>TASKFLOW_LOCAL_CLUSTER_DIR</c>), so it
/// never meets a user's cluster. In the PostgreSQL collection beside the other multi-process cluster tests, so it never
/// runs at the same time as them (it does not use that collection's server: the script starts its own).</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed partial class LocalClusterScriptTests(ITestOutputHelper output)
{
    private const string StateVariable = "TASKFLOW_LOCAL_CLUSTER_DIR";
    // Includes a Release build of src/Silo and src/Api when that output is missing or older than the sources.
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    // API nodes get 15 s and silos 45 s to stop before SIGKILL, then PostgreSQL up to 30 s.
    private static readonly TimeSpan DownTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    private static string Script => Path.Combine(HostProcess.RepositoryRoot, "deploy", "local-cluster.sh");

    [Fact]
    public async Task Up_starts_a_cluster_whose_api_runs_a_task_and_down_stops_every_process_it_started()
    {
        using var temp = new TempDirectory();
        // A temporary folder is the creator's alone; opened like a repository checkout, so PostgreSQL's data goes in
        // the state folder as for a user (run as root, the server runs as the postgres user and must reach it).
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var state = Path.Combine(temp.Path, "cluster");
        var recorded = new List<RecordedProcess>();
        string? postgresData = null;
        try
        {
            // Run from a folder outside the repository: the script finds its way from its own location.
            var up = await RunAsync(temp.Path, state, UpTimeout, "up", "--silos", "2", "--apis", "1");
            Assert.True(up.ExitCode == 0, up.Output);
            recorded.AddRange(ReadProcesses(state));
            postgresData = ReadSetting(state, "PG_DATA");
            Assert.Equal(["api", "postgres", "silo", "silo"], recorded.Select(p => p.Role).Order(StringComparer.Ordinal));
            Assert.All(recorded, p => Assert.True(p.IsAlive, $"{p.Name} (pid {p.Pid}) is not running after up:\n{up.Output}"));

            var apiUrl = ApiLine().Match(up.Output);
            Assert.True(apiUrl.Success, "no API URL in the output of up:\n" + up.Output);
            Assert.Contains("/tasks/dashboard", up.Output, StringComparison.Ordinal);
            Assert.Contains("Host=127.0.0.1;Port=", up.Output, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri(apiUrl.Groups["url"].Value), Timeout = TimeSpan.FromSeconds(30) };

            var enqueued = await http.PostAsync("/tasks", new StringContent(
                """{"name":"send_welcome_email","args":{"address":"a@b.c"}}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, enqueued.StatusCode);
            var id = (await enqueued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetGuid();
            var status = await Eventually.WaitAsync(
                async () => (await http.GetFromJsonAsync<JsonElement>($"/tasks/{id:D}")).GetProperty("status").GetString(),
                s => s is "success" or "failed" or "interrupted" or "cancelled", TaskTimeout, "the task to finish");
            Assert.Equal("success", status);

            var again = await RunAsync(temp.Path, state, CommandTimeout, "up");
            Assert.True(again.ExitCode != 0, "a second up succeeded:\n" + again.Output);
            Assert.Contains("already up", again.Output, StringComparison.Ordinal);

            var report = await RunAsync(temp.Path, state, CommandTimeout, "status");
            Assert.True(report.ExitCode == 0, report.Output);
            foreach (var process in recorded)
                Assert.Matches(new Regex($@"^{process.Role}\s+{process.Name}\s+{process.Pid}\s.*\balive\b", RegexOptions.Multiline), report.Output);
            Assert.Equal(2, MembershipActiveRow().Matches(report.Output).Count);
            Assert.Contains("/health/ready 200", report.Output, StringComparison.Ordinal);

            var down = await RunAsync(temp.Path, state, DownTimeout, "down");
            Assert.True(down.ExitCode == 0, down.Output);
            Assert.All(recorded, p => Assert.False(p.IsAlive, $"{p.Name} (pid {p.Pid}) still runs after down:\n{down.Output}"));
            Assert.Empty(ProcessesMentioning(postgresData!));
            Assert.Empty(ProcessesMentioning(state));
            Assert.False(Directory.Exists(postgresData), "down left PostgreSQL's data behind");
            Assert.False(Directory.Exists(state), "down left the state folder behind");
        }
        finally
        {
            // A failed assertion must not leave a cluster behind: down, and then whatever down could not stop.
            if (Directory.Exists(state))
            {
                try
                {
                    await RunAsync(temp.Path, state, DownTimeout, "down");
                }
                catch (TimeoutException)
                {
                }
            }
            foreach (var process in recorded.Where(p => p.IsAlive))
            {
                try
                {
                    using var left = Process.GetProcessById(process.Pid);
                    left.Kill();
                }
                catch (ArgumentException)
                {
                    // Ended meanwhile.
                }
            }
        }
    }

    [Fact]
    public async Task Bad_arguments_print_the_usage_and_fail_without_starting_anything()
    {
        using var temp = new TempDirectory();
        var state = Path.Combine(temp.Path, "cluster");
        foreach (var arguments in new[] { Array.Empty<string>(), ["start"], ["up", "--silos", "0"], ["up", "--apis"], ["status", "--all"] })
        {
            var run = await RunAsync(temp.Path, state, CommandTimeout, arguments);
            Assert.True(run.ExitCode == 2, $"{string.Join(' ', arguments)}: exit {run.ExitCode}\n{run.Output}");
            Assert.Contains("Usage: deploy/local-cluster.sh", run.Output, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(state));

        var status = await RunAsync(temp.Path, state, CommandTimeout, "status");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("No local cluster", status.Output, StringComparison.Ordinal);
    }

    // SIGTERM on a timeout lets `up` stop what it started; its processes run in sessions of their own.
    private Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string state, TimeSpan timeout, params string[] arguments) =>
        ScriptRun.RunAsync(output, Script, workingDirectory, timeout, DownTimeout,
            new Dictionary<string, string> { [StateVariable] = state }, arguments);

    /// <summary>The processes <c>up</c> recorded: role, name, pid and the process's start time.</summary>
    private static List<RecordedProcess> ReadProcesses(string state) =>
        File.ReadAllLines(Path.Combine(state, "processes"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(f => new RecordedProcess(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3]))
            .ToList();

    private static string ReadSetting(string state, string name) =>
        File.ReadAllLines(Path.Combine(state, "cluster.env"))
            .Single(line => line.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    /// <summary>Running processes whose command line names a path (PostgreSQL runs as <c>postgres -D &lt;data&gt;</c>).</summary>
    private static List<string> ProcessesMentioning(string path)
    {
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(path, StringComparison.Ordinal) && RecordedProcess.StateOf(pid) is not (null or 'Z'))
                    found.Add($"{pid}: {commandLine}");
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    [GeneratedRegex(@"^\s*API\s+(?<url>http://127\.0\.0\.1:\d+)", RegexOptions.Multiline)]
    private static partial Regex ApiLine();

    // A row of status's membership table: address, port, generation, silo name, status.
    [GeneratedRegex(@"^\s+127\.0\.0\.1\s+\d+\s+\d+\s+\S+\s+Active\b", RegexOptions.Multiline)]
    private static partial Regex MembershipActiveRow();

    private sealed record RecordedProcess(string Role, string Name, int Pid, string StartTime)
    {
        /// <summary>The recorded process itself still runs: same pid and start time (a reused pid is another process),
        /// and not a zombie (ended, waiting for its parent to collect it).</summary>
        public bool IsAlive => StateOf(Pid) is { } state && state != 'Z' && StartTimeOf(Pid) == StartTime;

        public static char? StateOf(int pid) => Fields(pid) is { } fields ? fields[0][0] : null;

        private static string? StartTimeOf(int pid) => Fields(pid) is { } fields ? fields[19] : null;

        // /proc/<pid>/stat from field 3 on: the command name before it may hold spaces and parentheses.
        private static string[]? Fields(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}

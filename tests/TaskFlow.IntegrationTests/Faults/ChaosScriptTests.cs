using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary><c>scripts/chaos.sh --quick</c>: three silos in network namespaces of their own, a Client-mode API and
/// PostgreSQL, under steady enqueues and ten every-second schedules, through two kills, a network cut and a rolling
/// restart. The script's figures are asserted one by one, so a failure names the target it missed; its whole output is
/// in the test output. Needs root (ip netns), as CI runs. In the PostgreSQL collection so no other multi-process test
/// shares the two cores with it (the script starts its own PostgreSQL).</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed partial class ChaosScriptTests(ITestOutputHelper output)
{
    // The quick run takes about two minutes after the build; the rest is margin for a slow machine.
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(7);

    [Fact]
    public async Task Quick_chaos_run_loses_no_task_runs_none_twice_and_keeps_schedules_and_enqueues_going()
    {
        var (exitCode, text) = await RunAsync("--quick", "--no-build");
        var figures = Figure().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

        var missed = new List<string>();
        void Expect(string name, Func<double, bool> target, string wanted)
        {
            if (!figures.TryGetValue(name, out var value)) missed.Add($"{name}: not printed");
            else if (!double.TryParse(value, CultureInfo.InvariantCulture, out var number) || !target(number)) missed.Add($"{name}={value}, wanted {wanted}");
        }
        Expect("tasks_accepted", v => v > 0, "> 0");
        Expect("enqueue_errors", _ => true, "printed");
        Expect("tasks_lost", v => v == 0, "0");
        Expect("successes_run_twice", _ => true, "printed");
        // A success lost with its silo (killed between the handler's end and the store write) runs again: at least once.
        // Any other second completion is a duplicate.
        Expect("duplicate_runs", v => v == 0, "0");
        Expect("duplicate_schedule_occurrences", v => v == 0, "0");
        Expect("time_to_all_terminal_s", _ => true, "every task terminal in time");
        Expect("longest_schedule_gap_s", v => v <= 15, "≤ 15");
        Expect("longest_schedule_gap_surviving_s", v => v <= 5, "≤ 5");
        Expect("longest_schedule_start_gap_s", v => v <= 15, "≤ 15");
        Expect("enqueue_5xx", v => v == 0, "0");
        Expect("rolling_lost", v => v == 0, "0");
        Expect("rolling_interrupted", v => v == 0, "0");
        Expect("distinct_silo_addresses", v => v == 3, "3, none on the loopback");
        Expect("hosts_that_ran_tasks", v => v >= 2, "≥ 2");
        if (!text.Contains("chaos: PASS", StringComparison.Ordinal)) missed.Add("no 'chaos: PASS' line");
        if (exitCode != 0) missed.Add($"exit code {exitCode}");

        // Nothing of the run is left: its namespaces are named after it (tfc<pid>-s1…).
        var run = RunName().Match(text);
        if (run.Success)
        {
            var namespaces = await CaptureAsync("ip", "netns", "list");
            if (namespaces.Contains(run.Groups["run"].Value + "-", StringComparison.Ordinal)) missed.Add($"namespaces of {run.Groups["run"].Value} left behind:\n{namespaces}");
        }
        Assert.True(missed.Count == 0, "chaos targets missed:\n  " + string.Join("\n  ", missed) + "\n\n" + text);
    }

    // SIGTERM on a timeout runs the script's cleanup, which stops what it started and deletes its namespaces.
    private Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) =>
        ScriptRun.RunAsync(output, Path.Combine(HostProcess.RepositoryRoot, "scripts", "chaos.sh"), HostProcess.RepositoryRoot,
            RunTimeout, TimeSpan.FromSeconds(60), null, arguments);

    private static async Task<string> CaptureAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text;
    }

    [GeneratedRegex(@"^chaos: (?<name>[a-z0-9_]+)=(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Figure();

    [GeneratedRegex(@"namespaces (?<run>tfc\d+)-s1\b")]
    private static partial Regex RunName();
}

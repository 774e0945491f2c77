using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>Runs one of the project's bash scripts and collects its output. A script that runs over its time gets
/// SIGTERM, so its own cleanup stops what it started, and the test fails with what it printed.</summary>
public static class ScriptRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(ITestOutputHelper output, string script, string workingDirectory,
        TimeSpan timeout, TimeSpan cleanupTimeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var lines = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.AppendLine(e.Data); };
        var name = $"{Path.GetFileName(script)} {string.Join(' ', arguments)}";
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(cleanupTimeout);
            lock (lines) throw new TimeoutException($"{name} ran over {timeout.TotalSeconds:0} s:\n{lines}");
        }
        string text;
        lock (lines) text = lines.ToString();
        output.WriteLine($"$ {name}   ({clock.Elapsed.TotalSeconds:0.0} s, exit {process.ExitCode})\n{text}");
        return (process.ExitCode, text);
    }
}

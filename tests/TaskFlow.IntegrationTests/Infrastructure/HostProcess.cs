using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>A built host (the Api or the standalone Silo) run as a real child process, as a user runs it.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => string.Join(Environment.NewLine, _output);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>src/{project}</c>'s build output with the given settings as environment variables.</summary>
    public static HostProcess Start(string project, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var directory = Path.Combine(RepositoryRoot, "src", project, "bin", BuildConfiguration, "net10.0");
        var dll = Path.Combine(directory, $"TaskFlow.{project}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return new HostProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}."));
    }

    /// <summary>Waits until a line containing <paramref name="text"/> was printed.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        Eventually.WaitAsync(() => Task.FromResult(_output.Any(l => l.Contains(text, StringComparison.Ordinal)) || _process.HasExited),
            done => done, timeout, $"'{text}' in the output");

    /// <summary>Waits for a process that ends by itself (a command) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("TaskFlow.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}

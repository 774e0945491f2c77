using System.Collections.Concurrent;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>Arguments of the probe tasks: which test run they belong to, a label, and how long to work.</summary>
public sealed record Probe(string Run, string Label, int Ms);

/// <summary>Records, inside the handler, how many probes of a run overlap and in which order they start.</summary>
public sealed class ProbeHandler : ITaskHandler<Probe>
{
    public async Task RunAsync(Probe args, TaskContext context, CancellationToken cancellationToken)
    {
        var run = ProbeRuns.Get(args.Run);
        run.Started(context.TaskId, context.TaskName, args.Label);
        try
        {
            await Task.Delay(args.Ms, cancellationToken);
        }
        finally
        {
            run.Finished(context.TaskName);
        }
    }
}

/// <summary>Probe statistics by run id. Test-cluster silos share the process, so every silo's handler writes here.</summary>
public static class ProbeRuns
{
    private static readonly ConcurrentDictionary<string, ProbeRun> Runs = new();

    public static ProbeRun Get(string run) => Runs.GetOrAdd(run, _ => new ProbeRun());

    public static ProbeRun New(out string id)
    {
        id = Guid.NewGuid().ToString("N");
        return Get(id);
    }
}

public sealed class ProbeRun
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _runningByName = [];
    private int _running;

    public int Peak { get; private set; }

    public ConcurrentDictionary<string, int> PeakByName { get; } = new();

    /// <summary>True when two probes of different names ran at the same moment.</summary>
    public bool NamesOverlapped { get; private set; }

    public ConcurrentQueue<string> StartOrder { get; } = new();

    public ConcurrentDictionary<Guid, int> Starts { get; } = new();

    public void Started(Guid taskId, string name, string label)
    {
        lock (_gate)
        {
            _running++;
            Peak = Math.Max(Peak, _running);
            _runningByName[name] = _runningByName.GetValueOrDefault(name) + 1;
            PeakByName.AddOrUpdate(name, _runningByName[name], (_, peak) => Math.Max(peak, _runningByName[name]));
            if (_runningByName.Count(p => p.Value > 0) > 1) NamesOverlapped = true;
        }
        StartOrder.Enqueue(label);
        Starts.AddOrUpdate(taskId, 1, (_, n) => n + 1);
    }

    public void Finished(string name)
    {
        lock (_gate)
        {
            _running--;
            _runningByName[name]--;
        }
    }
}

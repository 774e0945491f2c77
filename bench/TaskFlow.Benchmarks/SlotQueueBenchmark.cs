using System.Diagnostics;
using System.Globalization;
using TaskFlow.Dispatch;
using TaskFlow.Grains;

namespace TaskFlow.Benchmarks;

/// <summary>The dispatcher's own work per task, without Orleans: each task's request and release applied to a
/// <see cref="SlotQueue"/> in batches, grants taken after each batch, with a deep queue waiting. It bounds how many tasks
/// per second one dispatcher activation can order, once batching has taken the messages out of the way.</summary>
internal static class SlotQueueBenchmark
{
    public static void Run(int tasks, int maxConcurrency, int waiting)
    {
        var queue = new SlotQueue(maxConcurrency, _ => null, TimeSpan.FromSeconds(15));
        var now = DateTimeOffset.UtcNow;
        var priorities = new[] { 0, 0, 0, 5, 10 };
        for (var i = 0; i < waiting; i++)
            queue.Apply(new SlotMessage(SlotMessageKind.Request, Guid.NewGuid(), "noop", priorities[i % priorities.Length], now), now);
        var running = new Queue<Guid>(queue.TakeGrants(now).Select(g => g.TaskId));

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < tasks; i++)
        {
            // A batch of one release and one new request, then the grants it frees.
            queue.Apply(new SlotMessage(SlotMessageKind.Release, running.Dequeue()), now);
            queue.Apply(new SlotMessage(SlotMessageKind.Request, Guid.NewGuid(), "noop", priorities[i % priorities.Length], now), now);
            foreach (var grant in queue.TakeGrants(now)) running.Enqueue(grant.TaskId);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / tasks;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"slot queue: {tasks / seconds:N0} tasks/s ordered by one thread ({cpuMicros:0.00} µs CPU per task; {waiting:N0} waiting, MaxConcurrency {maxConcurrency})"));
    }
}

using System.Diagnostics;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>Waits on a condition with a deadline; a test never sleeps for a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        T last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {what}; last seen: {last}");
            await Task.Delay(25);
            last = await probe();
        }
        return last;
    }
}

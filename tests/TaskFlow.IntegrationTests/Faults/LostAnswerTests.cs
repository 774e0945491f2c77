using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TaskFlow.Demo;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>A database that goes away just after committing a write answers with an error: the write happened, the
/// task grain was told it did not. The task must still finish, not be interrupted by its own stale version.</summary>
public sealed class LostAnswerTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private ITaskQueue _queue = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = "lost-answer-" + Guid.NewGuid().ToString("N");
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        _queue = new TaskQueue(_cluster.Client, new TaskFlowBuilder(new ServiceCollection()).AddDemoTasks().Registry);
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Theory]
    [InlineData(TaskRunStatus.Success)]
    [InlineData(TaskRunStatus.Running)]
    public async Task A_write_that_committed_but_lost_its_answer_does_not_stop_the_task_finishing(TaskRunStatus lost)
    {
        var email = $"lost-{lost}@example.com".ToLowerInvariant();
        LostAnswerStore.Arm(state => state.Status == lost && state.Record.ArgsJson.Contains(email, StringComparison.Ordinal));

        var id = await _queue.EnqueueAsync(new WelcomeEmail(email));

        var record = await Eventually.WaitAsync(() => _queue.GetAsync(id), r => r?.Status.IsTerminal() == true,
            TimeSpan.FromSeconds(90), "the task to finish");
        Assert.True(LostAnswerStore.Fired, "the armed write never happened");
        Assert.Equal(TaskRunStatus.Success, record!.Status);
        Assert.Single(record.Attempts);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["TaskFlow:Storage:Provider"] = "Memory" })
                .Build();
            siloBuilder.Services.AddSingleton<ITaskStore>(_ => new LostAnswerStore(new MemoryTaskStore()));
            siloBuilder.AddTaskFlow(configuration, tf => tf.AddDemoTasks());
        }
    }

    /// <summary>A store that, once armed, commits the matching write and then fails as a dropped connection would.</summary>
    private sealed class LostAnswerStore(ITaskStore inner) : DelegatingTaskStore(inner)
    {
        private static Func<TaskState, bool>? _armed;

        public static bool Fired { get; private set; }

        public static void Arm(Func<TaskState, bool> match)
        {
            Fired = false;
            _armed = match;
        }

        public override async Task<string> WriteTaskAsync(TaskState state, string? expectedETag, CancellationToken cancellationToken = default)
        {
            var etag = await Inner.WriteTaskAsync(state, expectedETag, cancellationToken);
            if (_armed is { } match && match(state))
            {
                _armed = null;
                Fired = true;
                throw new LostConnection();
            }
            return etag;
        }


        private sealed class LostConnection() : DbException("The connection was closed after the commit.");
    }
}

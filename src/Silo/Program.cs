using TaskFlow;
using TaskFlow.Demo;
using TaskFlow.Hosting;
using TaskFlow.Silo;
using TaskFlow.Storage;

// A standalone silo: the cluster deployment's worker. API nodes join it with TaskFlow:Cluster:Mode=Client.
// `--migrate-only` applies the PostgreSQL schema of this version (TaskFlow:Storage:ConnectionString) and exits.
const string MigrateOnly = "--migrate-only";
var migrateOnly = args.Contains(MigrateOnly);
var builder = Host.CreateApplicationBuilder(args.Where(a => a != MigrateOnly).ToArray());
var options = builder.Configuration.GetSection(TaskFlowOptions.SectionName).Get<TaskFlowOptions>() ?? new TaskFlowOptions();

if (migrateOnly)
{
    using var host = builder.Build();
    var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TaskFlow.Migrate");
    if (options.Storage.Provider != StorageProvider.Postgres)
    {
        MigrateLog.WrongProvider(logger, MigrateOnly, options.Storage.Provider);
        return 2;
    }
    try
    {
        var applied = await PostgresSchemaMigrator.ApplyAsync(options.Storage.ConnectionString, logger, CancellationToken.None);
        MigrateLog.UpToDate(logger, applied.Count);
        return 0;
    }
    catch (TaskStoreUnavailableException ex)
    {
        MigrateLog.Unreachable(logger, ex.Message);
        return 1;
    }
}

var demo = options.Demo.Enabled;
builder.Services.AddTaskFlowArgsEncryption(builder.Configuration);
builder.UseOrleans(silo => silo
    .UseTaskFlowClustering(options)
    .AddTaskFlow(builder.Configuration, tf =>
    {
        if (demo) tf.AddDemoTasks(options.Demo.HeartbeatSeconds);
    }));

await builder.Build().RunAsync();
return 0;

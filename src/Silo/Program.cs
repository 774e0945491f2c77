using TaskFlow;
using TaskFlow.Demo;
using TaskFlow.Hosting;
using TaskFlow.Hosts;
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
// OTLP export of traces, metrics and logs when OTEL_EXPORTER_OTLP_ENDPOINT is set.
builder.AddOtlpExportWhenConfigured("taskflow-silo");
builder.UseOrleans(silo =>
{
    silo.UseTaskFlow(builder.Configuration, tf =>
    {
        tf.AddSqliteStorage().AddPostgreSqlStorage();
        if (demo) tf.AddDemoTasks(options.Demo.HeartbeatSeconds);
    });
    // Under Kubernetes: the pod's IP is advertised, and the pods of silos declared dead are deleted so their
    // deployment replaces them at once.
    if (options.Cluster.Kubernetes) silo.UseKubernetesHosting(k => k.Configure(o => o.DeleteDefunctSiloPods = true));
});
if (options.Cluster.HealthPort > 0)
{
    builder.Services.AddHostedService(sp => new HealthEndpoint(options.Cluster.HealthPort, sp, sp.GetRequiredService<ILogger<HealthEndpoint>>()));
}

await builder.Build().RunAsync();
return 0;

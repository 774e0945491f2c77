using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using TaskFlow.Hosting;

namespace TaskFlow.UnitTests.Hosting;

/// <summary><c>AddTaskFlow(o =&gt; …)</c>: code after configuration, validated at start with errors naming the setting; the
/// packages of a role say what is missing when a setting needs one.</summary>
public sealed class CodeFirstOptionsTests
{
    private static HostApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return builder;
    }

    [Fact]
    public void Code_applies_after_the_configuration_and_leaves_the_rest_bound()
    {
        var builder = Builder(("TaskFlow:MaxConcurrency", "5"), ("TaskFlow:Cluster:ClusterId", "from-config"));
        builder.Services.AddTaskFlowOptions(builder.Configuration, o => o.MaxConcurrency = 7);
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<TaskFlowOptions>>().Value;

        Assert.Equal(7, options.MaxConcurrency);
        Assert.Equal("from-config", options.Cluster.ClusterId);
        Assert.Equal(7, TaskFlowOptionsRegistration.Read(builder.Configuration, o => o.MaxConcurrency = 7).MaxConcurrency);
    }

    [Fact]
    public async Task A_setting_out_of_range_in_code_stops_the_host_at_start_naming_it()
    {
        var builder = Builder();
        builder.Services.AddTaskFlowOptions(builder.Configuration, o => o.MaxConcurrency = 0);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("TaskFlow:MaxConcurrency must be 1 or more (was 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgreSQL_without_a_connection_string_or_a_data_source_is_refused_at_start()
    {
        var builder = Builder(("TaskFlow:Storage:Provider", "Postgres"));
        builder.Services.AddTaskFlowOptions(builder.Configuration);
        new TaskFlowBuilder(builder.Services).AddPostgreSqlStorage();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("TaskFlow:Storage:ConnectionString must name the PostgreSQL database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_data_source_from_the_applications_services_is_the_one_TaskFlow_uses()
    {
        var builder = Builder(("TaskFlow:Storage:Provider", "Postgres"));
        using var dataSource = NpgsqlDataSource.Create("Host=db.invalid;Database=app;Username=app;Password=secret");
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddTaskFlowOptions(builder.Configuration);
        new TaskFlowBuilder(builder.Services).AddPostgreSqlStorage(sp => sp.GetRequiredService<NpgsqlDataSource>());
        using var host = builder.Build();

        var database = host.Services.GetRequiredService<PostgresDatabase>();

        Assert.Same(dataSource, database.DataSource);
        Assert.Contains("Host=db.invalid", database.ConnectionString, StringComparison.Ordinal);
        var options = host.Services.GetRequiredService<IOptions<TaskFlowOptions>>().Value;
        Assert.DoesNotContain(host.Services.GetServices<IValidateOptions<TaskFlowOptions>>(), v => v.Validate(Options.DefaultName, options).Failed);
    }

    [Fact]
    public void Embedded_mode_without_the_runtime_says_which_package_and_setting()
    {
        var builder = Builder();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddTaskFlow());

        Assert.Contains("TaskFlow:Cluster:Mode is 'Embedded'", error.Message, StringComparison.Ordinal);
        Assert.Contains("tf.AddSqliteStorage()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_storage_provider_whose_package_was_not_added_is_named_when_the_silo_is_configured()
    {
        var builder = Builder(("TaskFlow:Storage:Provider", "Sqlite"));

        var error = Assert.Throws<InvalidOperationException>(() => builder.UseOrleans(silo => silo.UseTaskFlow(builder.Configuration)));

        Assert.Contains("TaskFlow.Storage.Sqlite", error.Message, StringComparison.Ordinal);
        Assert.Contains("tf.AddSqliteStorage()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_of_a_PostgreSQL_cluster_needs_its_gateways_or_the_storage_package()
    {
        var builder = Builder();

        var error = Assert.Throws<InvalidOperationException>(() =>
            builder.AddTaskFlow(o => (o.Cluster.Mode, o.Storage.Provider) = (ClusterMode.Client, StorageProvider.Postgres)));

        Assert.Contains("TaskFlow:Cluster:Gateways", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_with_gateways_in_code_connects_to_them_with_the_web_package_alone()
    {
        var builder = Builder();
        builder.AddTaskFlow(o =>
        {
            o.Cluster.Mode = ClusterMode.Client;
            o.Storage.Provider = StorageProvider.Postgres;
            o.Cluster.Gateways = ["127.0.0.1:30001", "localhost:30002"];
        });
        using var host = builder.Build();

        var gateways = host.Services.GetRequiredService<IOptions<StaticGatewayListProviderOptions>>().Value.Gateways;

        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 30001).ToGatewayUri(), gateways);
        Assert.Equal(2, gateways.Count);
        Assert.Null(host.Services.GetService<ITaskFlowEmbeddedSilo>());
    }

    [Theory]
    [InlineData("silo-1:30000", true)]
    [InlineData("10.0.0.5:30000", true)]
    [InlineData("[::1]:30000", true)]
    [InlineData("silo-1", false)]
    [InlineData("silo-1:0", false)]
    [InlineData(":30000", false)]
    [InlineData("silo 1:30000", false)]
    public void Gateways_are_host_and_port(string gateway, bool valid)
    {
        var problems = new TaskFlowOptions { Cluster = { Gateways = [gateway] } }.Validate().ToList();

        if (valid) Assert.Empty(problems);
        else Assert.Contains(problems, p => p.StartsWith("TaskFlow:Cluster:Gateways must list host:port", StringComparison.Ordinal));
    }
}

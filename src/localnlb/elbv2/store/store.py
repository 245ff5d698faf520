"""The ELBv2/EC2 store: every table, one SQLite file, one transaction at a time.

Opening a store loads all tables into memory and makes sure the default VPC of the address plan
exists, with one subnet per AZ tagged as EKS subnets are (``kubernetes.io/role/elb=1``,
``kubernetes.io/cluster/<cluster>=shared``), and the VPC's ``default`` security group.
Handlers read the tables directly and wrap every mutation in :meth:`Store.transaction`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from localnlb.common.addressing import AddressPlan
from localnlb.common.ids import ec2_id
from localnlb.elbv2.model.ec2 import SecurityGroup, Subnet, Vpc
from localnlb.elbv2.store.database import Database
from localnlb.elbv2.store.instances import Instances
from localnlb.elbv2.store.listeners import Listeners
from localnlb.elbv2.store.load_balancers import LoadBalancers
from localnlb.elbv2.store.registrations import Registrations
from localnlb.elbv2.store.security_groups import SecurityGroups
from localnlb.elbv2.store.subnets import Subnets
from localnlb.elbv2.store.tags import Tags
from localnlb.elbv2.store.target_groups import TargetGroups
from localnlb.elbv2.store.vpcs import Vpcs

DATABASE_FILE = "elbv2.sqlite3"


class Store:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.load_balancers = LoadBalancers(database)
        self.listeners = Listeners(database)
        self.target_groups = TargetGroups(database)
        self.registrations = Registrations(database)
        self.tags = Tags(database)
        self.vpcs = Vpcs(database)
        self.subnets = Subnets(database)
        self.instances = Instances(database)
        self.security_groups = SecurityGroups(database)
        self.reload()

    @classmethod
    def open(cls, state_dir: Path) -> Store:
        state_dir.mkdir(parents=True, exist_ok=True)
        return cls(Database(state_dir / DATABASE_FILE))

    def reload(self) -> None:
        for table in (
            self.load_balancers,
            self.listeners,
            self.target_groups,
            self.registrations,
            self.tags,
            self.vpcs,
            self.subnets,
            self.instances,
            self.security_groups,
        ):
            table.load()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.database.transaction():
                yield
        except BaseException:
            self.reload()  # memory may hold half a change the database rolled back
            raise

    def close(self) -> None:
        self.database.close()

    @property
    def default_vpc(self) -> Vpc:
        for vpc in self.vpcs.values():
            if vpc.is_default:
                return vpc
        raise LookupError("the store has no default VPC; call ensure_default_vpc first")

    def ensure_default_vpc(self, plan: AddressPlan, *, cluster_name: str) -> None:
        with self.transaction():
            if not any(v.is_default for v in self.vpcs.values()):
                vpc = Vpc(ec2_id("vpc"), str(plan.vpc_cidr))
                self.vpcs.put(vpc)
                self.tags.add(vpc.vpc_id, {"Name": "localnlb"})
                self.security_groups.put(
                    SecurityGroup(ec2_id("sg"), "default", "default VPC security group", vpc.vpc_id)
                )
            vpc = self.default_vpc
            for az in plan.subnets:
                subnet = self.subnets.in_zone(az.zone_name)
                if subnet is None:
                    subnet = Subnet(
                        ec2_id("subnet"), vpc.vpc_id, az.zone_name, az.zone_id, str(az.cidr)
                    )
                    self.subnets.put(subnet)
                self.tags.add(
                    subnet.subnet_id,
                    {
                        "Name": f"localnlb-{az.zone_name}",
                        "kubernetes.io/role/elb": "1",
                        f"kubernetes.io/cluster/{cluster_name}": "shared",
                    },
                )

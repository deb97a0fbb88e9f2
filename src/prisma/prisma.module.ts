import { Global, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service';
import { ReadCacheService } from './read-cache.service';

@Global()
@Module({ providers: [PrismaService, ReadCacheService], exports: [PrismaService, ReadCacheService] })
export class PrismaModule {}
